// A task's place in the structure of work: its parent, its sub-tasks (with progress and a
// quick add), what blocks it and what it blocks (add a blocker by key, remove one).

import { get, del, post, query } from "../api.js";
import { panel } from "../components/page.js";
import { attempt, formDialog } from "../components/ui.js";
import { badge, h, progress } from "../dom.js";
import { rerender } from "../router.js";

function linkRow(t, action) {
  return h("li", { "data-task": t.task_key },
    h("a", { href: `#/tasks/${t.id}` }, t.task_key), " ", h("span", {}, t.title), " ",
    badge(t.current_state, t.is_active ? "blue" : "green"), action ? [" ", action] : null);
}

/** Finds a task of the organization by its key ("NOVA-0012"). */
async function byKey(key) {
  const found = await get(`/tasks/${query({ search: key, page_size: 100 })}`);
  const task = found.results.find((t) => t.task_key.toLowerCase() === key.toLowerCase());
  if (!task) throw new Error(`No task ${key} in this organization.`);
  return task;
}

export function structurePanel(task) {
  const edit = task.can.edit;
  const { done, total } = task.subtask_progress;
  const addSubtask = () => attempt(async () => {
    const created = await formDialog({
      title: `New sub-task of ${task.task_key}`,
      submitLabel: "Create sub-task",
      fields: [{ name: "title", label: "Title", required: true }],
      onSubmit: (v) => post("/tasks/", { title: v.title.trim(), workflow: task.workflow, parent: task.id }),
    });
    if (created) rerender(`${created.task_key} created.`);
  });
  const addBlocker = () => attempt(async () => {
    const added = await formDialog({
      title: `${task.task_key} is blocked by…`,
      submitLabel: "Add blocker",
      intro: "While a blocker is active this task cannot be completed (cancelling stays possible).",
      fields: [{ name: "key", label: "Task key", required: true, hint: "e.g. NOVA-0012" }],
      onSubmit: async (v) => post(`/tasks/${task.id}/dependencies/`, { blocked_by: (await byKey(v.key.trim())).id }),
    });
    if (added) rerender("Blocker added.");
  });
  const remove = (t) => h("button", { type: "button", class: "small", "data-action": "remove-blocker", onclick: () => attempt(async () => {
    await del(`/tasks/${task.id}/dependencies/${t.id}/`);
    rerender(`${t.task_key} no longer blocks this task.`);
  }, "Could not remove the blocker") }, "Remove");
  return panel("Structure", { id: "task-structure" },
    task.parent_detail ? h("p", {}, h("span", { class: "muted" }, "Sub-task of "), h("a", { href: `#/tasks/${task.parent}` }, task.parent_detail.task_key), " ", task.parent_detail.title) : null,
    h("h3", {}, `Sub-tasks${total ? ` (${done} of ${total} done)` : ""}`),
    total ? progress(done / total, `${done} of ${total} done`, true) : null,
    total ? h("ul", { class: "links", id: "subtask-list" }, task.subtasks.map((t) => linkRow(t))) : h("p", { class: "muted" }, "None."),
    edit && !task.parent ? h("button", { type: "button", class: "small", id: "add-subtask", onclick: addSubtask }, "Add sub-task") : null,
    h("h3", {}, "Blocked by"),
    task.blocked_by.length ? h("ul", { class: "links", id: "blocker-list" }, task.blocked_by.map((t) => linkRow(t, edit ? remove(t) : null))) : h("p", { class: "muted" }, "Nothing."),
    edit ? h("button", { type: "button", class: "small", id: "add-blocker", onclick: addBlocker }, "Add blocker") : null,
    task.blocking.length ? [h("h3", {}, "Blocking"), h("ul", { class: "links", id: "blocking-list" }, task.blocking.map((t) => linkRow(t)))] : null);
}
