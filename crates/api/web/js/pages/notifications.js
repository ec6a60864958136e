// The caller's notifications: newest first, unread ones marked, "Mark all read"; opening
// one marks it read and goes to its task. The bell in the top bar shows the unread count
// (refreshed on every page and every 30 seconds).

import { get, post, query, request } from "../api.js";
import { pageHead, panel } from "../components/page.js";
import { attempt } from "../components/ui.js";
import { fmtDate, fmtRelative, h, mount } from "../dom.js";
import { go, rerender, setQuery } from "../router.js";

/** Puts the caller's unread count on the bell (quietly does nothing when signed out). */
export async function refreshBell() {
  const bell = document.getElementById("bell");
  if (!bell || bell.hidden) return;
  try {
    const { unread } = await get("/notifications/unread-count/");
    const count = bell.querySelector(".bell-count");
    count.textContent = unread > 99 ? "99+" : String(unread);
    count.hidden = unread === 0;
    bell.setAttribute("aria-label", `Notifications, ${unread} unread`);
  } catch {
    // The next page or tick tries again.
  }
}

export async function notificationsPage(main, _params, q) {
  const unreadOnly = q.unread === "true";
  const page = Number(q.page || 1);
  const [list, prefs] = await Promise.all([
    get(`/notifications/${query({ unread: unreadOnly ? "true" : "", page, page_size: 50 })}`),
    get("/notifications/preferences/"),
  ]);
  const open = (n) => attempt(async () => {
    if (!n.is_read) await post(`/notifications/${n.id}/read/`);
    if (n.task) go(`#/tasks/${n.task}`);
    else if (n.data && n.data.project) go(`#/projects/${n.data.project}`);
    else rerender();
  });
  const items = list.results.map((n) => h("li", { class: n.is_read ? "notification" : "notification unread", "data-kind": n.kind, "data-notification": n.id },
    h("button", { type: "button", class: "link", onclick: () => open(n) }, n.message),
    h("span", { class: "muted", title: fmtDate(n.created_at) }, ` ${fmtRelative(n.created_at)}`)));
  mount(main,
    pageHead("Notifications",
      h("div", { class: "toolbar", style: "margin:0" },
        h("label", {}, h("input", { type: "checkbox", id: "unread-only", checked: unreadOnly, onchange: (e) => setQuery({ unread: e.target.checked ? "true" : "" }) }), " Unread only"),
        h("button", { type: "button", id: "read-all", onclick: () => attempt(async () => {
          const { marked } = await post("/notifications/read-all/");
          rerender(marked ? `${marked} marked read.` : "Nothing unread.");
        }) }, "Mark all read"))),
    list.count
      ? h("ul", { class: "links notifications", id: "notification-list" }, items)
      : h("p", { class: "muted" }, unreadOnly ? "Nothing unread." : "No notifications yet."),
    list.next || list.previous
      ? h("div", { class: "toolbar" },
        list.previous ? h("button", { type: "button", onclick: () => setQuery({ unread: q.unread, page: page - 1 }) }, "Newer") : null,
        list.next ? h("button", { type: "button", onclick: () => setQuery({ unread: q.unread, page: page + 1 }) }, "Older") : null)
      : null,
    preferencesPanel(prefs.preferences));
  refreshBell();
}

/** The kinds that are emailed today (the others are in the app only, for now). */
const EMAILED = ["assigned", "comment", "mention"];

const LABELS = {
  assigned: "Assigned to you", unassigned: "Unassigned from you", comment: "Comments on your tasks",
  mention: "Mentions of you", transitioned: "Your tasks change state", sla_breached: "SLA breaches",
  collaborator_added: "Added as a collaborator", project_member_added: "Added to a project",
  invitation_accepted: "Your invitations accepted",
};

/** One row per kind, a checkbox per channel; saved together. */
function preferencesPanel(prefs) {
  const box = (p, channel) => h("input", { type: "checkbox", checked: p[channel], disabled: channel === "email" && !EMAILED.includes(p.kind), title: channel === "email" && !EMAILED.includes(p.kind) ? "Not emailed yet" : "", "data-kind": p.kind, "data-channel": channel, "aria-label": `${LABELS[p.kind] || p.kind}: ${channel === "in_app" ? "in the app" : "by email"}` });
  const rows = prefs.map((p) => h("tr", {}, h("td", {}, LABELS[p.kind] || p.kind), h("td", {}, box(p, "in_app")), h("td", {}, box(p, "email"))));
  const table = h("table", { id: "notification-preferences" },
    h("thead", {}, h("tr", {}, h("th", {}, "What"), h("th", {}, "In the app"), h("th", {}, "Email"))),
    h("tbody", {}, rows));
  const save = () => attempt(async () => {
    const preferences = prefs.map((p) => ({
      kind: p.kind,
      in_app: table.querySelector(`[data-kind="${p.kind}"][data-channel=in_app]`).checked,
      email: table.querySelector(`[data-kind="${p.kind}"][data-channel=email]`).checked,
    }));
    await request("PUT", "/notifications/preferences/", { preferences });
    rerender("Preferences saved.");
  });
  return panel("How you hear about things", { id: "preferences" },
    h("p", { class: "muted" }, "Emails go out for assignments, comments on your tasks and mentions; the other kinds are in the app only for now."),
    table,
    h("div", { class: "toolbar" }, h("button", { type: "button", class: "primary", id: "save-preferences", onclick: save }, "Save preferences")));
}
