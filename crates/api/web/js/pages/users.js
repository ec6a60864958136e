// Members of the organization: roles, skills, capacity; create, edit and delete by those allowed.

import { all, del, patch, post } from "../api.js";
import { avatar } from "../components/avatar.js";
import { badge, h, mount, progress, splitList } from "../dom.js";
import { pageHead } from "../components/page.js";
import { rerender } from "../router.js";
import { assignableRoles, may, roleClass, session } from "../session.js";
import { dataTable } from "../components/table.js";
import { attempt, confirmDialog, formDialog } from "../components/ui.js";


export async function usersPage(main) {
  const users = await all("/users/");
  mount(main,
    pageHead(`Users (${users.length})`,
      may("manage_users") ? h("button", { type: "button", class: "primary", id: "new-user", onclick: () => attempt(createUser) }, "New user") : null),
    dataTable({
      id: "user-table",
      panel: true,
      columns: [
        { label: "Username", cell: (u) => [avatar(u), h("a", { href: `#/tasks?assigned_to=${u.id}` }, u.username),
          u.id === session.me.id ? h("span", { class: "muted" }, " (you)") : null,
          u.is_active === false ? h("span", { class: "muted" }, " (deactivated)") : null] },
        { label: "Email", cell: (u) => u.email || "—" },
        { label: "Role", cell: (u) => badge(u.role, roleClass(u.role)) },
        { label: "Skills", cell: (u) => h("span", { class: "chips" }, u.skills.length ? u.skills.map((s) => badge(s)) : h("span", { class: "muted" }, "—")) },
        { label: "Workload", class: "workload-cell", cell: (u) => [progress(u.active_task_count / Math.max(1, u.max_concurrent_tasks)),
          h("span", { class: "muted" }, `${u.active_task_count} of ${u.max_concurrent_tasks} tasks`)] },
        { label: "", class: "nowrap", cell: userActions },
      ],
      rows: users,
      rowAttrs: (u) => ({ "data-user": u.username }),
    }));
}

/** The buttons of one person's row, for the roles that may use them. */
function userActions(u) {
  const self = u.id === session.me.id;
  const actions = h("span", {});
  if (self || may("manage_users")) {
    actions.append(h("button", { type: "button", class: "small", onclick: () => attempt(() => editUser(u)) }, "Edit"), " ");
  }
  if (may("remove_users") && !self) {
    const active = u.is_active !== false;
    actions.append(h("button", { type: "button", class: "small", "data-action": active ? "deactivate" : "reactivate", onclick: () => attempt(async () => {
      const ok = active
        ? await confirmDialog({ title: `Deactivate ${u.username}?`, message: "They are signed out of this organization at once and their open tasks become unassigned. Their history stays; you can reactivate them.", confirmLabel: "Deactivate", danger: true })
        : true;
      if (ok) { await post(`/users/${u.id}/${active ? "deactivate" : "reactivate"}/`); rerender(`${u.username} ${active ? "deactivated" : "reactivated"}.`); }
    }) }, active ? "Deactivate" : "Reactivate"), " ");
    if (!active && !u.username.startsWith("deleted-user-")) {
      actions.append(h("button", { type: "button", class: "small danger", "data-action": "erase", onclick: () => attempt(async () => {
        const answer = await confirmDialog({ title: `Erase ${u.username}?`, message: "Their name, email, skills and password are replaced by a pseudonym for good. Audit entries and comments stay, attributed to the pseudonym. Say which erasure request this fulfils (required).", confirmLabel: "Erase", danger: true, withReason: true });
        if (answer) { await post(`/users/${u.id}/erase/`, { reason: answer.reason || "" }); rerender("Personal data erased."); }
      }) }, "Erase"), " ");
    }
    actions.append(h("button", { type: "button", class: "small danger", onclick: () => attempt(async () => {
      const ok = await confirmDialog({ title: `Delete ${u.username}?`, message: "Their tasks become unassigned; audit entries keep their name.", confirmLabel: "Delete", danger: true });
      if (ok) { await del(`/users/${u.id}/`); rerender(`${u.username} deleted.`); }
    }) }, "Delete"));
  }
  return actions;
}

async function createUser() {
  const roles = assignableRoles();
  const created = await formDialog({
    title: "New user",
    submitLabel: "Create user",
    fields: [
      { name: "username", label: "Username", required: true },
      { name: "password", label: "Password", type: "password", hint: "8+ characters, not common, not like the username", required: true },
      { name: "email", label: "Email", type: "email" },
      { name: "role", label: "Role", type: "select", options: roles, value: roles[Math.min(1, roles.length - 1)] },
      { name: "skills", label: "Skills", hint: "comma-separated, used by AI routing" },
      { name: "max_concurrent_tasks", label: "Capacity (active tasks)", type: "number", value: 5, min: 1 },
    ],
    onSubmit: (v) => post("/users/", {
      username: v.username.trim(), password: v.password, email: v.email.trim(), role: v.role,
      skills: splitList(v.skills), max_concurrent_tasks: v.max_concurrent_tasks ?? 5,
    }),
  });
  if (created) rerender("User created.");
}

async function editUser(u) {
  const self = u.id === session.me.id;
  const fields = [
    { name: "email", label: "Email", type: "email", value: u.email },
    { name: "skills", label: "Skills", hint: "comma-separated", value: u.skills.join(", ") },
    { name: "max_concurrent_tasks", label: "Capacity (active tasks)", type: "number", value: u.max_concurrent_tasks, min: 1 },
  ];
  const roleEditable = !self && assignableRoles().includes(u.role);
  if (roleEditable) fields.push({ name: "role", label: "Role", type: "select", options: assignableRoles(), value: u.role });
  const saved = await formDialog({
    title: `Edit ${u.username}`,
    fields,
    onSubmit: (v) => {
      const body = { email: v.email.trim(), skills: splitList(v.skills), max_concurrent_tasks: v.max_concurrent_tasks };
      if (roleEditable && v.role !== u.role) body.role = v.role;
      return patch(`/users/${u.id}/`, body);
    },
  });
  if (saved) rerender("Saved.");
}
