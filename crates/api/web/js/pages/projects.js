// Projects: the list of those the reader may see, and a project's page — its figures,
// its members (managed by its owners and the organization's managers) and its tasks.

import { all, del, get, patch, post, query } from "../api.js";
import { badge, fmtDate, fmtDay, h, mount, progress } from "../dom.js";
import { pageHead, panel } from "../components/page.js";
import { dataTable } from "../components/table.js";
import { go, rerender, setTitle } from "../router.js";
import { may } from "../session.js";
import { attempt, confirmDialog, formDialog } from "../components/ui.js";
import { createTaskDialog, taskContext } from "./tasks.js";

const STATUSES = ["planned", "active", "on_hold", "completed", "archived"];
const ROLES = ["owner", "editor", "viewer"];
const STATUS_CLASS = { active: "blue", on_hold: "amber", completed: "green", archived: "" };

function statusBadge(p) {
  return badge(p.status.replace("_", " "), STATUS_CLASS[p.status]);
}

/** Money in minor units as the reader's locale writes it ("€45,000.00"). */
function money(m) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: m.currency }).format(m.amount / 100);
  } catch {
    return `${(m.amount / 100).toFixed(2)} ${m.currency}`;
  }
}

function budgetText(p) {
  if (!p.budget) return "—";
  return p.budget.hours !== undefined ? `${p.budget.hours} h` : money(p.budget);
}

/** The create / edit form; resolves to the saved project or null. */
function projectDialog(project, users) {
  const budget = project && project.budget;
  return formDialog({
    title: project ? `Edit ${project.name}` : "New project",
    submitLabel: project ? "Save" : "Create project",
    intro: project ? null : "You become its owner. Private projects are seen by their members and the organization's managers only.",
    fields: [
      { name: "name", label: "Name", value: project ? project.name : "", required: true },
      { name: "key", label: "Key", hint: "2–10 letters, e.g. ROVER", value: project ? project.key : "", required: true },
      { name: "description", label: "Description", type: "textarea", value: project ? project.description : "" },
      { name: "status", label: "Status", type: "select", options: STATUSES, value: project ? project.status : "active" },
      { name: "visibility", label: "Visibility", type: "select", options: [["private", "Private — members only"], ["organization", "Organization — everyone reads"]], value: project ? project.visibility : "private" },
      { name: "lead", label: "Lead", type: "select", options: [["", "— none —"], ...users.map((u) => [u.id, u.username])], value: project ? project.lead || "" : "" },
      { name: "start_date", label: "Start", type: "date", value: project ? project.start_date || "" : "" },
      { name: "target_date", label: "Target", type: "date", value: project ? project.target_date || "" : "" },
      { name: "budget_kind", label: "Budget", type: "select", options: [["", "— none —"], ["money", "Amount"], ["hours", "Hours"]], value: budget ? (budget.hours !== undefined ? "hours" : "money") : "" },
      { name: "budget_value", label: "Budget amount or hours", type: "number", value: budget ? (budget.hours ?? budget.amount / 100) : "" },
      { name: "currency", label: "Currency", hint: "ISO code, e.g. EUR", value: (budget && budget.currency) || (project && project.hourly_rate && project.hourly_rate.currency) || "" },
      { name: "hourly_rate", label: "Hourly rate", type: "number", value: project && project.hourly_rate ? project.hourly_rate.amount / 100 : "" },
    ],
    onSubmit: (v) => {
      const currency = v.currency.trim().toUpperCase();
      const body = {
        name: v.name.trim(), key: v.key.trim(), description: v.description, status: v.status,
        visibility: v.visibility, lead: v.lead || null,
        start_date: v.start_date || null, target_date: v.target_date || null,
        budget: v.budget_kind === "hours" && v.budget_value !== null ? { hours: v.budget_value }
          : v.budget_kind === "money" && v.budget_value !== null ? { amount: Math.round(v.budget_value * 100), currency }
            : null,
        hourly_rate: v.hourly_rate !== null ? { amount: Math.round(v.hourly_rate * 100), currency } : null,
      };
      return project ? patch(`/projects/${project.id}/`, body) : post("/projects/", body);
    },
  });
}

export async function projectsPage(main, _params, q) {
  const [data, users] = await Promise.all([
    get(`/projects/${query({ status: q.status, page_size: 100 })}`),
    all("/users/"),
  ]);
  const create = () => attempt(async () => {
    const p = await projectDialog(null, users);
    if (p) go(`#/projects/${p.id}`);
  });
  mount(main,
    pageHead("Projects",
      may("create_projects") ? h("button", { type: "button", class: "primary", id: "new-project", onclick: create }, "New project") : null),
    h("div", { class: "toolbar" },
      h("select", { name: "status", "aria-label": "Status", onchange: (e) => go(`#/projects${e.target.value ? `?status=${e.target.value}` : ""}`) },
        h("option", { value: "" }, "Status: any"),
        STATUSES.map((s) => h("option", { value: s, selected: q.status === s }, s.replace("_", " "))))),
    dataTable({
      id: "projects",
      panel: true,
      rows: data.results,
      empty: may("create_projects") ? "No projects yet: create one to group work and decide who sees it." : "You are not in any project yet.",
      rowAttrs: (p) => ({ "data-project": p.key }),
      columns: [
        { label: "Key", cell: (p) => h("a", { href: `#/projects/${p.id}` }, p.key) },
        { label: "Name", cell: (p) => h("a", { href: `#/projects/${p.id}` }, p.name) },
        { label: "Status", cell: statusBadge },
        { label: "Visibility", cell: (p) => p.visibility },
        { label: "Lead", cell: (p) => p.lead_name || "—" },
        { label: "Members", cell: (p) => String(p.member_count) },
        { label: "Your role", cell: (p) => p.my_role || "—" },
        { label: "Target", cell: (p) => (p.target_date ? fmtDay(p.target_date) : "—") },
      ],
    }));
}

function statsPanel(p, stats) {
  const states = Object.entries(stats.by_state);
  return panel("Progress", { id: "project-stats" },
    progress(stats.progress_percent / 100, `${stats.progress_percent}% done`, true),
    h("p", {}, h("strong", {}, `${stats.progress_percent}%`), " done · ",
      h("a", { href: `#/tasks?project=${p.id}&active=true` }, `${stats.open} open`), " · ",
      h("a", { href: `#/tasks?project=${p.id}&overdue=true`, class: stats.overdue ? "red" : null }, `${stats.overdue} overdue`), " · ",
      `${stats.completed_last_7_days} completed in the last 7 days`),
    states.length ? h("div", { class: "chips" }, states.map(([s, n]) =>
      h("a", { href: `#/tasks?project=${p.id}&current_state=${encodeURIComponent(s)}` }, badge(`${s}: ${n}`)))) : h("p", { class: "muted" }, "No tasks yet."));
}

function detailsPanel(p) {
  const row = (label, value) => h("p", {}, h("span", { class: "muted" }, `${label}: `), value);
  return panel("Details", { id: "project-details" },
    p.description ? h("p", {}, p.description) : null,
    row("Visibility", p.visibility === "private" ? "private — members and managers" : "everyone in the organization reads"),
    row("Lead", p.lead_name || "—"),
    row("Dates", `${p.start_date ? fmtDay(p.start_date) : "—"} → ${p.target_date ? fmtDay(p.target_date) : "—"}`),
    row("Budget", budgetText(p)),
    row("Hourly rate", p.hourly_rate ? money(p.hourly_rate) : "—"));
}

function membersPanel(p, members, users) {
  const manage = p.can.manage;
  const inProject = new Set(members.map((m) => m.user));
  const add = () => attempt(async () => {
    const candidates = users.filter((u) => !inProject.has(u.id));
    const ok = await formDialog({
      title: `Add to ${p.key}`,
      submitLabel: "Add",
      fields: [
        { name: "user", label: "Person", type: "select", options: candidates.map((u) => [u.id, u.username]) },
        { name: "role", label: "Role", type: "select", options: [["editor", "Editor — creates and edits tasks"], ["viewer", "Viewer — reads"], ["owner", "Owner — manages the project"]], value: "editor" },
      ],
      onSubmit: (v) => post(`/projects/${p.id}/members/`, { user: v.user, role: v.role }),
    });
    if (ok) rerender("Member added.");
  });
  const roleSelect = (m) => h("select", { "aria-label": `Role of ${m.username}`, onchange: async (e) => {
    const ok = await attempt(async () => { await patch(`/projects/${p.id}/members/${m.user}/`, { role: e.target.value }); return true; });
    if (ok) rerender("Role changed.");
    else e.target.value = m.role; // refused (the last owner): show what holds
  } }, ROLES.map((r) => h("option", { value: r, selected: r === m.role }, r)));
  const remove = (m) => attempt(async () => {
    if (await confirmDialog({ title: `Remove ${m.username} from ${p.key}?`, message: "They lose access to its tasks unless the project is open to the organization.", confirmLabel: "Remove", danger: true })) {
      await del(`/projects/${p.id}/members/${m.user}/`);
      rerender("Member removed.");
    }
  });
  return panel("Members", { id: "project-members" },
    dataTable({
      rows: members,
      rowAttrs: (m) => ({ "data-member": m.username }),
      columns: [
        { label: "Person", cell: (m) => m.username },
        { label: "Role", cell: (m) => (manage ? roleSelect(m) : m.role) },
        { label: "Since", cell: (m) => fmtDate(m.created_at) },
        ...(manage ? [{ label: "", cell: (m) => h("button", { type: "button", class: "small danger", onclick: () => remove(m) }, "Remove") }] : []),
      ],
    }),
    manage ? h("div", { class: "toolbar", style: "margin-top:12px" }, h("button", { type: "button", class: "small", id: "add-member", onclick: add }, "Add member")) : null);
}

function tasksPanel(p, tasks) {
  return panel(`Tasks (${tasks.count})`, { id: "project-tasks" },
    dataTable({
      rows: tasks.results,
      empty: "No tasks in this project yet.",
      columns: [
        { label: "Key", cell: (t) => h("a", { href: `#/tasks/${t.id}` }, t.task_key) },
        { label: "Title", cell: (t) => t.title },
        { label: "State", cell: (t) => badge(t.current_state, "blue") },
        { label: "Priority", cell: (t) => t.priority },
        { label: "Assignee", cell: (t) => t.assigned_to_name || "—" },
        { label: "Due", cell: (t) => (t.due_date ? fmtDate(t.due_date) : "—") },
      ],
    }),
    tasks.count > tasks.results.length ? h("p", {}, h("a", { href: `#/tasks?project=${p.id}` }, `All ${tasks.count} tasks →`)) : null);
}

export async function projectPage(main, [id]) {
  const [p, stats, members, tasks, users] = await Promise.all([
    get(`/projects/${id}/`),
    get(`/projects/${id}/stats/`),
    all(`/projects/${id}/members/`),
    get(`/tasks/${query({ project: id, page_size: 20, ordering: "-created_at" })}`),
    all("/users/"),
  ]);
  setTitle(`${p.key} ${p.name}`);
  const edit = () => attempt(async () => { if (await projectDialog(p, users)) rerender("Project saved."); });
  const remove = () => attempt(async () => {
    if (await confirmDialog({ title: `Delete ${p.name}?`, message: "Only a project without tasks can be deleted; archive it otherwise.", confirmLabel: "Delete", danger: true })) {
      await del(`/projects/${p.id}/`);
      go("#/projects");
    }
  });
  const newTask = () => attempt(async () => createTaskDialog(await taskContext(), { project: p.id }));
  mount(main,
    pageHead(h("span", {}, p.name, " ", badge(p.key), " ", statusBadge(p)),
      p.can.create_tasks ? h("button", { type: "button", class: "primary", id: "new-project-task", onclick: newTask }, "New task") : null,
      p.can.manage ? h("button", { type: "button", id: "edit-project", onclick: edit }, "Edit") : null,
      p.can.manage ? h("button", { type: "button", class: "danger", onclick: remove }, "Delete") : null),
    h("div", { class: "grid" }, statsPanel(p, stats), detailsPanel(p)),
    membersPanel(p, members, users),
    tasksPanel(p, tasks));
}
