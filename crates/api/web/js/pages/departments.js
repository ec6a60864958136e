// Departments as cards with their head and members; admins create, edit and delete them.
// Each person is in at most one department: choosing them here moves them.

import { all, del, patch, post } from "../api.js";
import { badge, h, mount } from "../dom.js";
import { pageHead } from "../components/page.js";
import { rerender } from "../router.js";
import { may } from "../session.js";
import { attempt, confirmDialog, formDialog } from "../components/ui.js";

export async function departmentsPage(main) {
  const [departments, users] = await Promise.all([all("/departments/"), all("/users/")]);
  const nameOf = new Map(users.map((u) => [u.id, u.username]));
  const admin = may("manage_organization");
  const dialog = (d) => formDialog({
    title: d ? `Edit ${d.name}` : "New department",
    submitLabel: d ? "Save" : "Create department",
    intro: "Someone already in another department moves to this one.",
    fields: [
      { name: "name", label: "Name", value: d ? d.name : "", required: true },
      { name: "head", label: "Head", type: "select", options: [["", "— none —"], ...users.map((u) => [u.id, u.username])], value: d ? d.head || "" : "" },
      { name: "members", label: "Members", type: "checks", options: users.map((u) => [u.id, u.username]), value: d ? d.members : [] },
    ],
    onSubmit: (v) => {
      const body = { name: v.name.trim(), head: v.head || null, members: v.members };
      return d ? patch(`/departments/${d.id}/`, body) : post("/departments/", body);
    },
  });
  const card = (d) => h("section", { class: "panel", "data-department": d.name },
    h("h2", {}, d.name),
    h("p", {}, h("span", { class: "muted" }, "Head: "), d.head ? nameOf.get(d.head) || "unknown" : "—"),
    h("p", {}, h("a", { href: `#/tasks?department=${d.id}` }, `${d.member_count} member${d.member_count === 1 ? "" : "s"} · their tasks`)),
    h("div", { class: "chips" }, d.members.map((id) => badge(nameOf.get(id) || "unknown"))),
    admin ? h("div", { class: "toolbar", style: "margin-top:12px" },
      h("button", { type: "button", class: "small", onclick: () => attempt(async () => { if (await dialog(d)) rerender("Department saved."); }) }, "Edit"),
      h("button", { type: "button", class: "small danger", onclick: () => attempt(async () => {
        if (await confirmDialog({ title: `Delete ${d.name}?`, message: "Its members stay, in no department.", confirmLabel: "Delete", danger: true })) {
          await del(`/departments/${d.id}/`);
          rerender("Department deleted.");
        }
      }) }, "Delete")) : null);
  mount(main,
    pageHead("Departments",
      admin ? h("button", { type: "button", class: "primary", id: "new-department", onclick: () => attempt(async () => { if (await dialog(null)) rerender("Department created."); }) }, "New department") : null),
    departments.length ? h("div", { class: "grid" }, departments.map(card)) : h("p", { class: "muted" }, "No departments yet."));
}
