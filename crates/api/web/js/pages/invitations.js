// Invitations of the organization: invite by email, resend, revoke (managers and admins).

import { all, del, post } from "../api.js";
import { badge, fmtDate, h, mount } from "../dom.js";
import { rerender, setQuery } from "../router.js";
import { assignableRoles } from "../session.js";
import { attempt, confirmDialog, formDialog } from "../ui.js";

const STATUSES = ["pending", "accepted", "expired", "revoked"];

export async function invitationsPage(main, _params, q) {
  const status = STATUSES.includes(q.status) ? q.status : "";
  const invitations = await all("/invitations/", { status });
  const filter = h("select", { id: "invitation-status", onchange: (e) => setQuery({ status: e.target.value }) },
    h("option", { value: "" }, "All"), STATUSES.map((s) => h("option", { value: s, selected: s === status }, s)));
  mount(main,
    h("div", { class: "page-head" },
      h("h1", {}, `Invitations (${invitations.length})`),
      h("button", { type: "button", class: "primary", id: "new-invitation", onclick: () => attempt(invite) }, "Invite someone")),
    h("p", {}, h("label", {}, "Status ", filter)),
    h("div", { class: "table-wrap panel", style: "padding:0" }, h("table", { id: "invitation-table" },
      h("thead", {}, h("tr", {}, ["Email", "Role", "Status", "Invited by", "Expires", ""].map((c) => h("th", {}, c)))),
      h("tbody", {}, invitations.length ? invitations.map(row) : h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No invitations."))))));
}

function row(i) {
  const open = i.status === "pending" || i.status === "expired";
  return h("tr", { "data-invitation": i.email },
    h("td", {}, i.email),
    h("td", {}, badge(i.role)),
    h("td", {}, badge(i.status, i.status === "accepted" ? "ok" : i.status === "pending" ? "" : "muted")),
    h("td", {}, i.invited_by_name),
    h("td", {}, fmtDate(i.expires_at)),
    h("td", { class: "nowrap" },
      open ? h("button", { type: "button", class: "small", onclick: () => attempt(async () => { await post(`/invitations/${i.id}/resend/`); rerender(); }) }, "Resend") : null,
      " ",
      i.status === "pending" ? h("button", { type: "button", class: "small danger", onclick: () => attempt(async () => {
        const ok = await confirmDialog({ title: `Revoke the invitation to ${i.email}?`, message: "The link in their email stops working.", confirmLabel: "Revoke", danger: true });
        if (ok) { await del(`/invitations/${i.id}/`); rerender(); }
      }) }, "Revoke") : null));
}

async function invite() {
  const roles = assignableRoles();
  const sent = await formDialog({
    title: "Invite someone",
    submitLabel: "Send invitation",
    intro: "They get an email with a link that works once, for seven days.",
    fields: [
      { name: "email", label: "Email", type: "email", required: true },
      { name: "role", label: "Role", type: "select", options: roles, value: roles[Math.min(1, roles.length - 1)] },
    ],
    onSubmit: (v) => post("/invitations/", { email: v.email.trim(), role: v.role }),
  });
  if (sent) rerender();
}
