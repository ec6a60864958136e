// Teams as cards with their lead and members; managers create, edit and delete them.

import { all, del, patch, post } from "../api.js";
import { badge, h, mount } from "../dom.js";
import { pageHead } from "../components/page.js";
import { rerender } from "../router.js";
import { may } from "../session.js";
import { attempt, confirmDialog, formDialog } from "../components/ui.js";

export async function teamsPage(main) {
  const [teams, users] = await Promise.all([all("/teams/"), all("/users/")]);
  const nameOf = new Map(users.map((u) => [u.id, u.username]));
  const dialog = (team) => formDialog({
    title: team ? `Edit ${team.name}` : "New team",
    submitLabel: team ? "Save" : "Create team",
    fields: [
      { name: "name", label: "Name", value: team ? team.name : "", required: true },
      { name: "lead", label: "Lead", type: "select", options: [["", "— none —"], ...users.map((u) => [u.id, u.username])], value: team ? team.lead || "" : "" },
      { name: "members", label: "Members", type: "checks", options: users.map((u) => [u.id, u.username]), value: team ? team.members : [] },
    ],
    onSubmit: (v) => {
      const body = { name: v.name.trim(), lead: v.lead || null, members: v.members };
      return team ? patch(`/teams/${team.id}/`, body) : post("/teams/", body);
    },
  });
  const card = (t) => h("section", { class: "panel", "data-team": t.name },
    h("h2", {}, t.name),
    h("p", {}, h("span", { class: "muted" }, "Lead: "), t.lead_detail ? t.lead_detail.username : "—"),
    h("p", { class: "muted" }, `${t.member_count} member${t.member_count === 1 ? "" : "s"}`),
    h("div", { class: "chips" }, t.members.map((id) => badge(nameOf.get(id) || "unknown"))),
    may("manage_teams") ? h("div", { class: "toolbar", style: "margin-top:12px" },
      h("button", { type: "button", class: "small", onclick: () => attempt(async () => { if (await dialog(t)) rerender("Team saved."); }) }, "Edit"),
      h("button", { type: "button", class: "small danger", onclick: () => attempt(async () => {
        if (await confirmDialog({ title: `Delete ${t.name}?`, message: "Its tasks keep existing without a team.", confirmLabel: "Delete", danger: true })) {
          await del(`/teams/${t.id}/`);
          rerender("Team deleted.");
        }
      }) }, "Delete")) : null);
  mount(main,
    pageHead("Teams",
      may("manage_teams") ? h("button", { type: "button", class: "primary", onclick: () => attempt(async () => { if (await dialog(null)) rerender("Team created."); }) }, "New team") : null),
    teams.length ? h("div", { class: "grid" }, teams.map(card)) : h("p", { class: "muted" }, "No teams yet."));
}
