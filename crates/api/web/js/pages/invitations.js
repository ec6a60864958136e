// Invitations of the organization: invite by email, resend, revoke (managers and admins).

import { all, del, post } from "../api.js";
import { badge, fmtDate, h, mount } from "../dom.js";
import { pageHead } from "../components/page.js";
import { rerender, setQuery } from "../router.js";
import { assignableRoles } from "../session.js";
import { dataTable } from "../components/table.js";
import { attempt, confirmDialog, formDialog } from "../components/ui.js";

const STATUSES = ["pending", "accepted", "expired", "revoked"];

export async function invitationsPage(main, _params, q) {
  const status = STATUSES.includes(q.status) ? q.status : "";
  const invitations = await all("/invitations/", { status });
  const filter = h("select", { id: "invitation-status", onchange: (e) => setQuery({ status: e.target.value }) },
    h("option", { value: "" }, "All"), STATUSES.map((s) => h("option", { value: s, selected: s === status }, s)));
  mount(main,
    pageHead(`Invitations (${invitations.length})`,
      h("button", { type: "button", class: "primary", id: "new-invitation", onclick: () => attempt(invite) }, "Invite someone")),
    h("p", {}, h("label", {}, "Status ", filter)),
    dataTable({
      id: "invitation-table",
      panel: true,
      columns: [
        { label: "Email", cell: (i) => i.email },
        { label: "Role", cell: (i) => badge(i.role) },
        { label: "Status", cell: (i) => badge(i.status, i.status === "accepted" ? "ok" : i.status === "pending" ? "" : "muted") },
        { label: "Invited by", cell: (i) => i.invited_by_name },
        { label: "Expires", cell: (i) => fmtDate(i.expires_at) },
        { label: "", cell: actions, class: "nowrap" },
      ],
      rows: invitations,
      rowAttrs: (i) => ({ "data-invitation": i.email }),
      empty: "No invitations.",
    }));
}

function actions(i) {
  const open = i.status === "pending" || i.status === "expired";
  return [
    open ? h("button", { type: "button", class: "small", onclick: () => attempt(async () => {
      await post(`/invitations/${i.id}/resend/`);
      rerender(`Invitation sent again to ${i.email}.`);
    }, "Could not resend the invitation") }, "Resend") : null,
    " ",
    i.status === "pending" ? h("button", { type: "button", class: "small danger", onclick: () => attempt(async () => {
      const ok = await confirmDialog({ title: `Revoke the invitation to ${i.email}?`, message: "The link in their email stops working.", confirmLabel: "Revoke", danger: true });
      if (ok) { await del(`/invitations/${i.id}/`); rerender("Invitation revoked."); }
    }, "Could not revoke the invitation") }, "Revoke") : null,
  ];
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
  if (sent) rerender("Invitation sent.");
}
