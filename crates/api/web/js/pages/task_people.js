// Who works on a task besides its assignee: its collaborators (add from the organization's
// people; remove them, or leave yourself).

import { all, del, post } from "../api.js";
import { panel } from "../components/page.js";
import { attempt, formDialog } from "../components/ui.js";
import { h } from "../dom.js";
import { rerender } from "../router.js";
import { session } from "../session.js";

export function collaboratorsPanel(task) {
  const edit = task.can.edit;
  const me = session.me && session.me.id;
  const add = () => attempt(async () => {
    const taken = new Set(task.collaborators.map((c) => c.user));
    const people = (await all("/users/")).filter((u) => !taken.has(u.id) && u.is_active !== false);
    const added = await formDialog({
      title: `Collaborators on ${task.task_key}`,
      submitLabel: "Add",
      intro: "Collaborators may edit the task like its assignee.",
      fields: [{ name: "user", label: "Person", type: "select", options: people.map((u) => [u.id, u.username]) }],
      onSubmit: (v) => post(`/tasks/${task.id}/collaborators/`, { user: v.user }),
    });
    if (added) rerender("Collaborator added.");
  });
  const remove = (c) => h("button", { type: "button", class: "small", "data-action": "remove-collaborator", onclick: () => attempt(async () => {
    await del(`/tasks/${task.id}/collaborators/${c.user}/`);
    rerender(c.user === me ? "You no longer collaborate on this task." : `${c.username} removed.`);
  }) }, c.user === me ? "Leave" : "Remove");
  return panel("Collaborators", { id: "task-collaborators" },
    task.collaborators.length
      ? h("ul", { class: "links", id: "collaborator-list" }, task.collaborators.map((c) =>
        h("li", { "data-collaborator": c.username }, c.username, edit || c.user === me ? [" ", remove(c)] : null)))
      : h("p", { class: "muted" }, "Nobody yet."),
    edit ? h("button", { type: "button", class: "small", id: "add-collaborator", onclick: add }, "Add collaborator") : null);
}
