// One task: its fields and edits, assignment with workloads, transitions with reasons,
// comments, and its audit history.

import { avatar } from "../components/avatar.js";
import { all, del, get, patch, post, query } from "../api.js";
import { badge, describeValue, fmtDate, fmtRelative, fromLocalInput, h, mount, splitList, toLocalInput } from "../dom.js";
import { go, rerender, setTitle } from "../router.js";
import { session } from "../session.js";
import { dataTable } from "../components/table.js";
import { attempt, confirmDialog, formDialog, pastWarning, showError } from "../components/ui.js";
import { structurePanel } from "./task_structure.js";
import { collaboratorsPanel } from "./task_people.js";
import { attachmentsPanel } from "./task_files.js";
import { deleteTask, priorityBadge } from "./tasks.js";

/** A link to a task known only by its key (activity feeds carry keys, not ids). */
export function taskKeyLink(key) {
  return key ? h("a", { href: `#/tasks/key/${encodeURIComponent(key)}`, class: "task-key" }, key) : h("span", { class: "muted" }, "(deleted task)");
}

export async function taskByKeyPage(main, [key]) {
  const found = await get(`/tasks/${query({ search: key, page_size: 100 })}`);
  const task = found.results.find((t) => t.task_key === key);
  if (task) {
    location.replace(`#/tasks/${task.id}`);
  } else {
    mount(main, h("h1", {}, key), h("p", { class: "muted" }, "This task no longer exists (it may have been deleted). Its history stays in the audit log."));
  }
}

export async function taskPage(main, [id]) {
  const [task, transitions, audit, users, teams, files] = await Promise.all([
    get(`/tasks/${id}/`),
    get(`/tasks/${id}/available-transitions/`),
    get(`/audit-logs/${query({ task: id, page_size: 100 })}`),
    all("/users/"),
    all("/teams/"),
    get(`/tasks/${id}/attachments/${query({ page_size: 100 })}`),
  ]);
  const editable = task.can.edit;
  setTitle(`${task.task_key} ${task.title}`);
  mount(main,
    h("div", { class: "page-head" },
      h("h1", {}, h("span", { class: "muted", id: "task-key" }, task.task_key), " ", h("span", { id: "task-title" }, task.title)),
      h("div", { class: "toolbar", style: "margin:0" },
        mayClaim(task) ? h("button", { type: "button", class: "primary", id: "claim-task", onclick: async (e) => {
          e.target.disabled = true;
          if (await attempt(() => post(`/tasks/${task.id}/claim/`), "Could not take the task")) rerender("The task is yours.");
          else e.target.disabled = false;
        } }, "Assign to me") : null,
        task.can.delete ? h("button", { type: "button", class: "danger", id: "delete-task", onclick: async () => { if (await deleteTask(task)) go("#/tasks"); } }, "Delete") : null)),
    h("div", { class: "grid" },
      h("section", { class: "panel", id: "task-fields" }, h("h2", {}, "Details"), fieldsList(task)),
      h("div", {},
        transitionsPanel(task, transitions),
        assignPanel(task, users),
        editable ? editPanel(task, teams) : null)),
    h("section", { class: "panel", id: "task-description" }, h("h2", {}, "Description"),
      task.description ? h("div", { class: "pre" }, task.description) : h("p", { class: "muted" }, "No description.")),
    structurePanel(task),
    collaboratorsPanel(task),
    attachmentsPanel(task, files),
    commentsPanel(task),
    auditPanel(audit.results));
}

function fieldsList(task) {
  const row = (label, value, attrs) => [h("dt", {}, label), h("dd", attrs || {}, value)];
  return h("dl", { class: "fields" },
    row("State", badge(task.current_state, "blue"), { id: "task-state" }),
    row("Priority", priorityBadge(task.priority)),
    row("Type", task.task_type),
    row("Assignee", task.assigned_to_detail ? [avatar(task.assigned_to_detail), task.assigned_to_detail.username] : h("span", { class: "muted" }, "unassigned"), { id: "task-assignee" }),
    row("Project", task.project ? h("a", { href: `#/projects/${task.project}` }, task.project_key) : "—"),
    row("Team", task.team_name || "—"),
    row("Due", [fmtDate(task.due_date), task.sla_breached ? h("span", { class: "badge red" }, "SLA breached") : null]),
    row("Tags", task.tags.length ? h("span", { class: "chips" }, task.tags.map((t) => badge(t))) : "—"),
    row("AI score", task.ai_priority_score === null ? "not scored" : `${task.ai_priority_score.toFixed(2)} (≈ ${task.ai_estimated_hours} h)`),
    row("Created by", task.created_by_detail ? task.created_by_detail.username : "—"),
    row("Created", fmtDate(task.created_at)),
    row("Updated", fmtDate(task.updated_at)),
    row("Resolved", fmtDate(task.resolved_at)));
}

function transitionsPanel(task, transitions) {
  const options = transitions.available_transitions;
  return h("section", { class: "panel", id: "transitions" },
    h("h2", {}, "Move to"),
    options.length
      ? h("div", { class: "transitions" }, options.map((t) => h("button", {
        type: "button", class: "primary", "data-to-state": t.to_state, title: `Allowed for: ${t.allowed_roles.join(", ")}`,
        onclick: async () => {
          const answer = await confirmDialog({ title: `Move ${task.task_key} to ${t.to_state}?`, message: `From ${task.current_state} to ${t.to_state}.`, confirmLabel: `Move to ${t.to_state}`, withReason: true });
          if (!answer) return;
          const body = { to_state: t.to_state };
          if (answer.reason.trim()) body.reason = answer.reason.trim();
          if (await attempt(() => post(`/tasks/${task.id}/transition/`, body), "Could not move the task")) rerender(`Moved to ${t.to_state}.`);
        },
      }, `→ ${t.to_state}`)))
      : h("p", { class: "muted" }, "Your role has no transitions from this state."));
}

/** "Assign to me": unassigned, open, the organization allows claims, the role may write. */
function mayClaim(task) {
  const level = session.me && session.me.permissions ? session.me.permissions.level : "read_only";
  return !task.assigned_to && !task.resolved_at && session.org && session.org.allow_claims && level !== "read_only";
}

function assignPanel(task, users) {
  if (!task.can.assign) return null;
  const select = h("select", { id: "assign-user", "aria-label": "Assignee" },
    h("option", { value: "" }, "Choose a person…"),
    users.filter((u) => u.assignable !== false).map((u) => {
      const load = `${u.active_task_count}/${u.max_concurrent_tasks}`;
      const full = u.active_task_count >= u.max_concurrent_tasks;
      return h("option", { value: u.id, selected: u.id === task.assigned_to }, `${u.username} — ${load} active${full ? " (full)" : ""}`);
    }));
  const reason = h("input", { id: "assign-reason", placeholder: "Reason (optional)" });
  return h("section", { class: "panel", id: "assign" },
    h("h2", {}, "Assign"),
    h("div", { class: "toolbar" }, select, reason,
      h("button", { type: "button", id: "assign-button", onclick: async () => {
        if (!select.value) return showError(new Error("Choose a person to assign."));
        const body = { user_id: select.value };
        if (reason.value.trim()) body.reason = reason.value.trim();
        if (await attempt(() => post(`/tasks/${task.id}/assign/`, body), "Could not assign")) rerender("Assignment saved.");
      } }, "Assign"),
      h("button", { type: "button", title: "Let the local AI pick the best person", onclick: async () => {
        const r = await attempt(() => post("/ai/auto-assign/", { task_id: task.id }), "Could not auto-assign");
        if (r) rerender(r.assigned_to ? `Assigned to ${r.assigned_to}.` : "Nobody qualified; the task stays unassigned.");
      } }, "Auto-assign")));
}

function editPanel(task, teams) {
  const priority = h("select", { name: "priority", "aria-label": "Priority" }, session.org.allowed_priorities.map((p) => h("option", { value: p, selected: p === task.priority }, p)));
  const due = h("input", { type: "datetime-local", name: "due_date", value: toLocalInput(task.due_date), "aria-label": "Due" });
  const team = h("select", { name: "team", "aria-label": "Team" }, h("option", { value: "" }, "— no team —"), teams.map((t) => h("option", { value: t.id, selected: t.id === task.team }, t.name)));
  const tags = h("input", { name: "tags", value: task.tags.join(", "), placeholder: "tags, comma-separated", "aria-label": "Tags" });
  const form = h("form", { class: "form-grid", id: "edit-task" },
    h("label", {}, "Priority", priority), h("label", {}, "Due", due, pastWarning(due)), h("label", {}, "Team", team), h("label", {}, "Tags", tags),
    h("div", { class: "toolbar" },
      h("button", { type: "submit", class: "primary" }, "Save changes"),
      h("button", { type: "button", onclick: () => attempt(async () => {
        const saved = await formDialog({ title: `Edit ${task.task_key}`, fields: [
          { name: "title", label: "Title", value: task.title },
          { name: "description", label: "Description", type: "textarea", value: task.description },
        ], onSubmit: (v) => patch(`/tasks/${task.id}/`, { title: v.title.trim(), description: v.description }) });
        if (saved) rerender("Saved.");
      }) }, "Edit title and description")));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (due.validity.badInput) return showError(new Error("Due: finish the date and time, or clear the field."));
    const body = { priority: priority.value, due_date: fromLocalInput(due.value), team: team.value || null, tags: splitList(tags.value) };
    if (await attempt(() => patch(`/tasks/${task.id}/`, body), "Could not save the task")) rerender("Saved.");
  });
  return h("section", { class: "panel" }, h("h2", {}, "Edit"), form);
}

function commentsPanel(task) {
  const list = h("div", { id: "comments" }, task.comments.length
    ? task.comments.map((c) => commentView(c))
    : h("p", { class: "muted" }, "No comments yet."));
  let form = null;
  if (task.can.comment) {
    const text = h("textarea", { id: "comment-text", placeholder: "Write a comment", "aria-label": "Comment" });
    const submit = h("button", { type: "submit", class: "primary" }, "Add comment");
    form = h("form", { class: "form-grid", id: "comment-form" }, text, h("div", {}, submit));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      // One comment per click, however fast the clicks: the button waits for the answer.
      if (submit.disabled) return;
      submit.disabled = true;
      const posted = await attempt(() => post("/comments/", { task: task.id, content: text.value }), "Could not add the comment");
      submit.disabled = false;
      if (posted) rerender("Comment added.");
    });
  }
  return h("section", { class: "panel" }, h("h2", {}, `Comments (${task.comments.length})`), list, form);
}

/** One comment, with edit and delete for its author or an admin. */
export function commentView(c, extra) {
  const actions = c.can.edit ? [
    h("button", { type: "button", class: "small", onclick: () => attempt(async () => {
      const saved = await formDialog({ title: "Edit comment", fields: [{ name: "content", label: "Comment", type: "textarea", value: c.content }], onSubmit: (v) => patch(`/comments/${c.id}/`, { content: v.content }) });
      if (saved) rerender("Comment saved.");
    }) }, "Edit"),
    h("button", { type: "button", class: "small danger", onclick: async () => {
      if (!(await confirmDialog({ title: "Delete this comment?", confirmLabel: "Delete", danger: true }))) return;
      if ((await attempt(() => del(`/comments/${c.id}/`).then(() => true), "Could not delete the comment"))) rerender("Comment deleted.");
    } }, "Delete"),
  ] : [];
  return h("div", { class: "comment", "data-comment": c.id },
    h("div", { class: "meta" }, h("strong", {}, c.author_name || "deleted user"), h("span", { title: fmtDate(c.created_at) }, fmtRelative(c.created_at)), extra || null, actions),
    h("div", { class: "pre comment-content" }, c.content));
}

function auditPanel(entries) {
  return h("section", { class: "panel", id: "task-audit" },
    h("h2", {}, "History"),
    entries.length ? auditTable(entries, false) : h("p", { class: "muted" }, "No history."));
}

/** Audit entries with old and new values side by side (cards on phones). */
export function auditTable(entries, withTask) {
  return dataTable({
    cls: "audit-table",
    columns: [
      { label: "When", class: "nowrap", cell: (e) => h("span", { title: fmtDate(e.timestamp) }, fmtRelative(e.timestamp)) },
      withTask ? { label: "Task", class: "nowrap", cell: (e) => (e.task ? h("a", { href: `#/tasks/${e.task}` }, e.task_key) : h("span", { class: "muted" }, e.task_key)) } : null,
      { label: "Action", cell: (e) => badge(e.action.replace("_", " "), e.action === "sla_breached" || e.action === "deleted" ? "red" : "blue") },
      { label: "By", cell: (e) => e.performed_by_name },
      { label: "Old → new", class: "diff-cell", cell: (e) => h("div", { class: "diff" }, h("div", { class: "old" }, describeValue(e.old_value)), h("div", { class: "new" }, describeValue(e.new_value))) },
      { label: "Reason", class: "pre", cell: (e) => e.reason || "" },
    ].filter(Boolean),
    rows: entries,
    rowAttrs: (e) => ({ "data-action": e.action }),
  });
}
