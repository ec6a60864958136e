// Overview: stat cards, charts by state and priority, workload, SLA health, recent activity,
// and the trends of `dashboard_trends.js`.

import { all, get, post } from "../api.js";
import { barChart, stackedBar } from "../components/charts.js";
import { panel } from "../components/page.js";
import { dataTable } from "../components/table.js";
import { badge, describeValue, fmtRelative, h, mount, progress } from "../dom.js";
import { go } from "../router.js";
import { may, session } from "../session.js";
import { attempt } from "../components/ui.js";
import { readerTimeZone, trendPanels } from "./dashboard_trends.js";
import { taskKeyLink } from "./task.js";

export async function dashboardPage(main) {
  const [{ overview, sla }, perf, activity, workflows, trends] = await Promise.all([
    get("/dashboard/overview/"),
    get("/dashboard/team-performance/"),
    get("/dashboard/activity/?limit=15"),
    all("/workflows/"),
    get(`/dashboard/trends/?days=30&tz=${encodeURIComponent(readerTimeZone())}`),
  ]);
  const stateOrder = (workflows.find((w) => w.is_default) || workflows[0] || { allowed_states: [] }).allowed_states;
  const card = (label, value, hash, cls) => h("a", { class: `card ${cls || ""}`, href: hash, "data-card": label }, h("div", { class: "value" }, String(value)), h("div", { class: "label" }, label));
  const active = sla.total_active;
  const slaList = h("div", { id: "sla-list" });
  const slaPanel = panel("SLA health", { id: "sla-health" },
    h("div", { class: "chips" },
      badge(`${sla.healthy} healthy`, "green"),
      badge(`${sla.at_risk} at risk`, "amber"),
      badge(`${sla.breached} breached`, "red"),
      badge(`breach rate ${sla.breach_rate}%`, sla.breach_rate > 0 ? "red" : "green")),
    h("div", { style: "margin:12px 0" }, stackedBar([
      { label: "healthy", value: sla.healthy, color: "#1e8e3e" },
      { label: "at risk", value: sla.at_risk, color: "#e6a23c" },
      { label: "breached", value: sla.breached, color: "#d93025" },
    ], { title: `${sla.breach_rate}% of ${active} active tasks breached` })),
    may("run_sla_check")
      ? h("button", { type: "button", id: "sla-details", onclick: () => attempt(() => showSla(slaList)) }, "Show breached and at-risk tasks")
      : h("a", { href: "#/tasks?sla_breached=true" }, "Show breached tasks"),
    slaList);
  const toTasks = (key) => (label) => () => go(`#/tasks?${key}=${encodeURIComponent(label)}`);
  mount(main,
    h("h1", {}, "Dashboard"),
    h("div", { class: "cards" },
      // Each card opens exactly the list it counts.
      card("Total tasks", overview.total_tasks, "#/tasks"),
      card("Active", active, "#/tasks?active=true"),
      card("Unassigned", overview.unassigned, "#/tasks?active=true&assigned_to=null"),
      card("SLA breached", sla.breached, "#/tasks?overdue=true", sla.breached ? "danger" : ""),
      card("Created, last 7 days", overview.last_7_days.created, `#/tasks?created_after=${encodeURIComponent(overview.last_7_days.since)}`),
      card("Completed, last 7 days", overview.last_7_days.completed, `#/tasks?resolved_after=${encodeURIComponent(overview.last_7_days.since)}`)),
    h("div", { class: "grid" },
      panel("Tasks by state", { id: "chart-state" },
        barChart(rowsOf(overview.by_state, stateOrder, toTasks("current_state")), { title: "Tasks by state" })),
      panel("Tasks by priority", { id: "chart-priority" },
        barChart(rowsOf(overview.by_priority, session.org.allowed_priorities, toTasks("priority")), { title: "Tasks by priority" })),
      slaPanel,
      panel("Team workload", { id: "workload" },
        perf.team_performance.length ? perf.team_performance.map((p) => h("div", { class: "barrow" },
          h("a", { href: `#/tasks?assigned_to=${p.user_id}` }, p.username),
          progress(p.workload_percentage / 100, `${p.active_tasks} of ${p.max_concurrent_tasks} tasks`),
          h("span", { class: p.workload_percentage > 100 ? "red" : "muted" }, `${p.active_tasks}/${p.max_concurrent_tasks}`)))
          : h("p", { class: "muted" }, "Nobody takes work yet.")),
      ...trendPanels(trends, perf),
      panel("Recent activity", { id: "activity" },
        activity.recent_activity.length
          ? h("ul", { class: "feed" }, activity.recent_activity.map((a) => h("li", {},
            taskKeyLink(a.task_key), " ", badge(a.action.replace("_", " "), a.action === "sla_breached" ? "red" : "blue"), " ",
            h("span", {}, a.task_title), h("br"),
            h("span", { class: "muted" }, `${a.performed_by} · ${fmtRelative(a.timestamp)}`),
            a.new_value && a.action !== "commented" && a.action !== "created" ? h("div", { class: "muted pre" }, describeValue(a.new_value)) : null)))
          : h("p", { class: "muted" }, "Nothing has happened yet."))));
}

/** Chart rows in the organization's configured order (the API's maps are alphabetical). */
function rowsOf(counts, order, onClick) {
  const rank = (label) => (order.includes(label) ? order.indexOf(label) : order.length);
  return Object.entries(counts || {})
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([label, value]) => ({ label, value, onClick: onClick(label) }));
}

async function showSla(target) {
  const { results } = await post("/dashboard/sla-check/");
  const table = (tasks, text, cls) => dataTable({
    columns: [
      { label: "Key", cell: (t) => h("a", { href: `#/tasks/${t.id}` }, t.task_key), class: "nowrap" },
      { label: "Title", cell: (t) => t.title },
      { label: "Priority", cell: (t) => t.priority },
      { label: "Assignee", cell: (t) => t.assigned_to || "—" },
      { label: "Due", cell: (t) => h("span", { class: cls }, text(t)), class: "nowrap" },
    ],
    rows: tasks,
    empty: "None.",
  });
  mount(target,
    h("h3", { class: "red" }, `Breached (${results.breached_tasks.length})`),
    table(results.breached_tasks, (t) => `${t.hours_overdue} h overdue`, "red"),
    h("h3", { class: "amber" }, `At risk (${results.at_risk_tasks.length})`),
    table(results.at_risk_tasks, (t) => `${t.hours_remaining} h left`, "amber"));
}
