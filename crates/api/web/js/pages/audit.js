// The organization's audit log, filterable by action and person, old and new side by side.

import { all, get, query } from "../api.js";
import { h, mount } from "../dom.js";
import { setQuery } from "../router.js";
import { auditTable } from "./task.js";

const ACTIONS = ["created", "updated", "state_changed", "assigned", "commented", "sla_breached", "deleted", "invited", "invitation_revoked", "joined", "deactivated", "reactivated", "dependency_added", "dependency_removed", "collaborator_added", "collaborator_removed", "attachment_added", "attachment_removed"];
const PAGE_SIZE = 25;

export async function auditPage(main, _params, q) {
  const page = Math.max(1, parseInt(q.page || "1", 10) || 1);
  const filters = { action: q.action || "", performed_by: q.performed_by || "" };
  const [data, users] = await Promise.all([get(`/audit-logs/${query({ ...filters, page, page_size: PAGE_SIZE })}`), all("/users/")]);
  const pages = Math.max(1, Math.ceil(data.count / PAGE_SIZE));
  const update = (changes) => setQuery({ ...filters, ...changes });
  mount(main,
    h("h1", {}, "Audit log"),
    h("p", { class: "muted" }, "Every change, written in the same transaction as the change itself. Entries cannot be edited or deleted."),
    h("div", { class: "toolbar" },
      h("select", { "aria-label": "Action", onchange: (e) => update({ action: e.target.value }) },
        h("option", { value: "" }, "Action: any"), ACTIONS.map((a) => h("option", { value: a, selected: a === filters.action }, a))),
      h("select", { "aria-label": "Performed by", onchange: (e) => update({ performed_by: e.target.value }) },
        h("option", { value: "" }, "By: anyone"), users.map((u) => h("option", { value: u.id, selected: u.id === filters.performed_by }, u.username)))),
    h("div", { class: "panel", style: "padding:0" }, data.results.length ? auditTable(data.results, true) : h("p", { class: "muted", style: "padding:12px" }, "No entries match.")),
    h("div", { class: "pagination" },
      h("button", { type: "button", disabled: page <= 1, onclick: () => update({ page: page - 1 }) }, "← Newer"),
      h("span", { class: "muted" }, `Page ${page} of ${pages} · ${data.count} entries`),
      h("button", { type: "button", disabled: !data.next, onclick: () => update({ page: page + 1 }) }, "Older →")));
}
