// The task list: search, filters, sortable columns, pagination, create/edit/delete, AI score.

import { avatar } from "../components/avatar.js";
import { all, del, get, patch, post, query } from "../api.js";
import { badge, fmtDate, fmtDay, fromLocalInput, h, mount, splitList, toLocalInput } from "../dom.js";
import { go, rerender, setQuery } from "../router.js";
import { may, session } from "../session.js";
import { attempt, confirmDialog, formDialog } from "../components/ui.js";

const PAGE_SIZE = 20;
const FILTERS = ["current_state", "priority", "task_type", "team", "department", "project", "assigned_to", "sla_breached", "search", "active", "overdue", "created_after", "created_before", "resolved_after", "resolved_before"];
const SORTABLE = { created_at: "Created", due_date: "Due", priority: "Priority", ai_priority_score: "AI score", updated_at: "Updated" };

/** The organization's configuration every task form needs. */
export async function taskContext() {
  const [workflows, teams, users, departments, projects] = await Promise.all([all("/workflows/"), all("/teams/"), all("/users/"), all("/departments/"), all("/projects/")]);
  const states = [...new Set(workflows.flatMap((w) => w.allowed_states))];
  return { workflows, teams, users, states, departments, projects };
}

export function stateBadge(task) {
  return badge(task.current_state, "blue");
}

export function priorityBadge(priority) {
  const list = session.org ? session.org.allowed_priorities : [];
  const i = list.indexOf(priority);
  const cls = i === 0 ? "red" : i === 1 ? "amber" : "";
  return badge(priority, cls);
}

/** The task fields of the create and edit forms, from the organization's configuration. */
export function taskFields(ctx, task, defaults) {
  const org = session.org;
  const fields = [
    { name: "title", label: "Title", value: task ? task.title : "", required: true },
    { name: "description", label: "Description", type: "textarea", value: task ? task.description : "" },
    { name: "priority", label: "Priority", type: "select", options: org.allowed_priorities, value: task ? task.priority : org.allowed_priorities[Math.floor(org.allowed_priorities.length / 2)] },
    { name: "task_type", label: "Type", type: "select", options: org.allowed_task_types, value: task ? task.task_type : org.allowed_task_types[0] },
    { name: "team", label: "Team", type: "select", options: [["", "— none —"], ...ctx.teams.map((t) => [t.id, t.name])], value: task ? task.team || "" : "" },
    { name: "due_date", label: "Due", type: "datetime-local", value: task ? toLocalInput(task.due_date) : "" },
    { name: "tags", label: "Tags", hint: "comma-separated", value: task ? (task.tags || []).join(", ") : "" },
  ];
  // Projects the reader may put tasks in (and the task's own, which it keeps).
  const writable = ctx.projects.filter((p) => p.can.create_tasks || (task && task.project === p.id));
  if (writable.length && !(task && task.parent)) {
    fields.splice(4, 0, { name: "project", label: "Project", type: "select",
      options: [["", "— none —"], ...writable.map((p) => [p.id, `${p.key} · ${p.name}`])],
      value: task ? task.project || "" : (defaults && defaults.project) || "" });
  }
  if (!task && ctx.workflows.length > 1) {
    const def = ctx.workflows.find((w) => w.is_default) || ctx.workflows[0];
    fields.push({ name: "workflow", label: "Workflow", type: "select", options: ctx.workflows.map((w) => [w.id, w.name]), value: def.id });
  }
  return fields;
}

/** Form values → the API's request body. */
export function taskBody(values) {
  const body = {
    title: values.title.trim(),
    description: values.description,
    priority: values.priority,
    task_type: values.task_type,
    team: values.team || null,
    due_date: fromLocalInput(values.due_date),
    tags: splitList(values.tags),
  };
  if (values.workflow) body.workflow = values.workflow;
  if (values.project !== undefined) body.project = values.project || null;
  return body;
}

export async function createTaskDialog(ctx, defaults) {
  const task = await formDialog({
    title: "New task",
    fields: taskFields(ctx, null, defaults),
    submitLabel: "Create task",
    onSubmit: (values) => post("/tasks/", taskBody(values)),
    done: "Task created.",
  });
  if (task) go(`#/tasks/${task.id}`);
}

export async function deleteTask(task) {
  const ok = await confirmDialog({ title: `Delete ${task.task_key}?`, message: `“${task.title}” will be deleted. Its audit history is kept.`, confirmLabel: "Delete", danger: true });
  if (!ok) return false;
  return (await attempt(() => del(`/tasks/${task.id}/`).then(() => true))) || false;
}

export async function tasksPage(main, _params, q) {
  const ctx = await taskContext();
  const page = Math.max(1, parseInt(q.page || "1", 10) || 1);
  const ordering = q.ordering || "-created_at";
  const filters = Object.fromEntries(FILTERS.map((f) => [f, q[f] || ""]));
  const data = await get(`/tasks/${query({ ...filters, ordering, page, page_size: PAGE_SIZE })}`);

  const update = (changes) => setQuery({ ...filters, ordering, ...changes, page: changes.page || "" });
  const select = (name, label, options) => h("select", { name, "aria-label": label, onchange: (e) => update({ [name]: e.target.value }) },
    h("option", { value: "" }, `${label}: any`),
    options.map(([value, text]) => h("option", { value, selected: filters[name] === value }, text)));
  const search = h("input", { type: "search", name: "search", placeholder: "Search title, description, key", value: filters.search, id: "task-search" });
  const searchForm = h("form", { class: "toolbar", style: "margin:0" }, search, h("button", { type: "submit" }, "Search"));
  searchForm.addEventListener("submit", (e) => { e.preventDefault(); update({ search: search.value.trim() }); });

  const sortHeader = (field, label) => {
    const active = ordering.replace("-", "") === field;
    const arrow = active ? (ordering.startsWith("-") ? " ↓" : " ↑") : "";
    // The label is a button, so the header is reachable with Tab and sorts with Enter.
    return h("th", { class: "sortable", "data-sort": field, "aria-sort": active ? (ordering.startsWith("-") ? "descending" : "ascending") : null,
      onclick: () => update({ ordering: active && !ordering.startsWith("-") ? `-${field}` : field }) },
    h("button", { type: "button", class: "sort-button" }, label + arrow));
  };
  const rows = data.results.map((t) => taskRow(t, ctx));
  const pages = Math.max(1, Math.ceil(data.count / PAGE_SIZE));

  mount(main,
    h("div", { class: "page-head" },
      h("h1", {}, "Tasks"),
      may("create_tasks") ? h("button", { class: "primary", type: "button", id: "new-task", onclick: () => attempt(() => createTaskDialog(ctx)) }, "New task") : null),
    h("div", { class: "toolbar" },
      searchForm,
      select("current_state", "State", ctx.states.map((s) => [s, s])),
      select("priority", "Priority", session.org.allowed_priorities.map((p) => [p, p])),
      select("task_type", "Type", session.org.allowed_task_types.map((t) => [t, t])),
      select("team", "Team", ctx.teams.map((t) => [t.id, t.name])),
      ctx.departments.length ? select("department", "Department", ctx.departments.map((d) => [d.id, d.name])) : null,
      ctx.projects.length ? select("project", "Project", ctx.projects.map((p) => [p.id, `${p.key} · ${p.name}`])) : null,
      select("assigned_to", "Assignee", [["null", "Unassigned"], ...ctx.users.map((u) => [u.id, u.username])]),
      select("sla_breached", "SLA", [["true", "Breached"], ["false", "Not breached"]]),
      // Filters the dashboard's cards set, shown so the list says what it holds.
      [["active", "active only"], ["overdue", "overdue"], ["created_after", "created since"], ["created_before", "created before"],
        ["resolved_after", "completed since"], ["resolved_before", "completed before"]]
        .filter(([k]) => filters[k])
        .map(([k, label]) => badge(/_(after|before)$/.test(k) ? `${label} ${fmtDate(filters[k])}` : label, "filter")),
      FILTERS.some((f) => filters[f]) ? h("button", { type: "button", onclick: () => setQuery({ ordering }) }, "Clear filters") : null),
    h("div", { class: "table-wrap panel", style: "padding:0" },
      h("table", { id: "task-table", class: "task-table" },
        h("thead", {}, h("tr", {},
          h("th", {}, "Key"), h("th", {}, "Title"), h("th", {}, "State"), sortHeader("priority", "Priority"), h("th", {}, "Type"),
          h("th", {}, "Assignee"), h("th", {}, "Team"), sortHeader("due_date", "Due"), sortHeader("ai_priority_score", "AI score"),
          sortHeader("created_at", "Created"), h("th", {}, ""))),
        h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 11, class: "muted" }, "No tasks match."))))),
    h("div", { class: "pagination" },
      h("button", { type: "button", disabled: page <= 1, onclick: () => update({ page: page - 1 }) }, "← Previous"),
      h("span", { class: "muted", id: "task-count" }, `Page ${page} of ${pages} · ${data.count} task${data.count === 1 ? "" : "s"}`),
      h("button", { type: "button", disabled: !data.next, onclick: () => update({ page: page + 1 }) }, "Next →")));
}

function taskRow(t, ctx) {
  const score = h("span", { class: "ai-score" }, t.ai_priority_score === null ? "—" : t.ai_priority_score.toFixed(2));
  const actions = h("td", { class: "actions-cell" });
  if (may("score_tasks")) {
    actions.append(h("button", { type: "button", class: "small", title: "Score with the local AI", "aria-label": "Score with the local AI", onclick: () => attempt(async () => {
      const r = await post("/ai/score-priority/", { task_id: t.id });
      score.textContent = r.priority_analysis.score.toFixed(2);
      score.title = r.priority_analysis.explanation;
    }) }, "Score"), " ");
  }
  if (t.can.edit) {
    actions.append(h("button", { type: "button", class: "small", onclick: () => attempt(async () => {
      const full = await get(`/tasks/${t.id}/`);
      const saved = await formDialog({ title: `Edit ${t.task_key}`, fields: taskFields(ctx, full), onSubmit: (v) => patch(`/tasks/${t.id}/`, taskBody(v)) });
      if (saved) rerender("Task saved.");
    }) }, "Edit"), " ");
  }
  if (t.can.delete) {
    actions.append(h("button", { type: "button", class: "small danger", onclick: async () => { if (await deleteTask(t)) rerender(`${t.task_key} deleted.`); } }, "Delete"));
  }
  // `data-label` names each cell where phones show rows as cards (the header is hidden).
  const cell = (label, attrs, ...children) => h("td", { ...attrs, "data-label": label }, ...children);
  actions.dataset.label = "";
  return h("tr", { "data-task": t.task_key },
    cell("Key", { class: "nowrap" }, h("a", { href: `#/tasks/${t.id}` }, t.task_key),
      t.project_key ? h("a", { href: `#/projects/${t.project}`, class: "project-key", title: "Project" }, badge(t.project_key)) : null),
    cell("Title", { class: "title-cell" },
      // Two lines at most; long words (a pasted URL) break; the whole title on hover.
      h("a", { href: `#/tasks/${t.id}`, class: "task-title", title: t.title }, t.title),
      t.comment_count ? h("span", { class: "muted comment-count" }, `${t.comment_count} comment${t.comment_count === 1 ? "" : "s"}`) : null),
    cell("State", {}, stateBadge(t)),
    cell("Priority", {}, priorityBadge(t.priority)),
    cell("Type", {}, t.task_type),
    cell("Assignee", { class: "person-cell" }, t.assigned_to ? [avatar(ctx.users.find((u) => u.id === t.assigned_to) || { username: t.assigned_to_name }), t.assigned_to_name] : h("span", { class: "muted" }, "unassigned")),
    cell("Team", {}, t.team_name || "—"),
    cell("Due", { class: `nowrap ${t.sla_breached ? "red" : ""}`, title: t.due_date ? fmtDate(t.due_date) : null }, fmtDay(t.due_date), t.sla_breached ? " ⚠" : ""),
    cell("AI score", {}, score),
    cell("Created", { class: "nowrap muted", title: fmtDate(t.created_at) }, fmtDay(t.created_at)),
    actions);
}
