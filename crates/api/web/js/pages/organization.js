// Organization settings: its name and the three configurable lists (admin only).

import { patch } from "../api.js";
import { badge, h, mount, splitList } from "../dom.js";
import { pageHead } from "../components/page.js";
import { rerender } from "../router.js";
import { may, loadSession, roleClass, session } from "../session.js";
import { attempt, formDialog } from "../components/ui.js";

export async function organizationPage(main) {
  await loadSession();
  const org = session.org;
  const list = (items, roles) => h("div", { class: "chips" }, items.map((i) => badge(i, roles ? roleClass(i) : "")));
  const edit = async () => {
    const saved = await formDialog({
      title: "Organization settings",
      intro: "Lists are comma-separated and ordered: the first role is admin, the second manager, the last read-only; priorities go from most to least urgent. Removing a value still in use is refused.",
      fields: [
        { name: "name", label: "Name", value: org.name },
        { name: "allowed_roles", label: "Roles", value: org.allowed_roles.join(", ") },
        { name: "allowed_priorities", label: "Priorities", value: org.allowed_priorities.join(", ") },
        { name: "allowed_task_types", label: "Task types", value: org.allowed_task_types.join(", ") },
      ],
      onSubmit: (v) => patch(`/organizations/${org.id}/`, {
        name: v.name.trim(),
        allowed_roles: splitList(v.allowed_roles),
        allowed_priorities: splitList(v.allowed_priorities),
        allowed_task_types: splitList(v.allowed_task_types),
      }),
    });
    if (saved) {
      await loadSession();
      document.getElementById("org-name").textContent = session.org.name;
      rerender("Settings saved.");
    }
  };
  mount(main,
    pageHead(org.name,
      may("manage_organization") ? h("button", { type: "button", class: "primary", id: "edit-org", onclick: () => attempt(edit) }, "Edit settings") : null),
    h("section", { class: "panel" },
      h("dl", { class: "fields" },
        h("dt", {}, "Slug"), h("dd", {}, org.slug),
        h("dt", {}, "Members"), h("dd", {}, String(org.member_count)),
        h("dt", {}, "Teams"), h("dd", {}, String(org.team_count)),
        h("dt", {}, "Roles"), h("dd", {}, list(org.allowed_roles, true)),
        h("dt", {}, "Priorities"), h("dd", {}, list(org.allowed_priorities)),
        h("dt", {}, "Task types"), h("dd", {}, list(org.allowed_task_types)),
        h("dt", {}, "Two-factor sign-in"), h("dd", {},
          h("span", { id: "org-2fa" }, org.require_two_factor ? "required of every member" : "optional"), " ",
          may("manage_organization") ? h("button", { type: "button", class: "small", id: "toggle-2fa", onclick: () => attempt(async () => {
            await patch(`/organizations/${org.id}/`, { require_two_factor: !org.require_two_factor });
            rerender(org.require_two_factor ? "Two-factor sign-in is optional now." : "Two-factor sign-in is required now.");
          }) }, org.require_two_factor ? "Stop requiring" : "Require") : null),
        h("dt", {}, "Claiming work"), h("dd", {},
          h("span", { id: "org-claims" }, org.allow_claims ? "members may assign unassigned tasks to themselves" : "only managers assign"), " ",
          may("manage_organization") ? h("button", { type: "button", class: "small", id: "toggle-claims", onclick: () => attempt(async () => {
            await patch(`/organizations/${org.id}/`, { allow_claims: !org.allow_claims });
            rerender(org.allow_claims ? "Claiming is off." : "Claiming is on.");
          }) }, org.allow_claims ? "Turn off" : "Turn on") : null))));
}
