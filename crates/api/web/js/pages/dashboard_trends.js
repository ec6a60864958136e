// What managers look for on the dashboard: created vs completed per day, cycle time per
// type, overdue work per person, and each person's track record. Every bar opens the list
// of exactly the tasks it counts.

import { barChart, flowChart } from "../components/charts.js";
import { panel } from "../components/page.js";
import { dataTable } from "../components/table.js";
import { h } from "../dom.js";
import { go } from "../router.js";

/** The browser's time zone, so days end at the reader's midnight. */
export function readerTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** "6.5 h", or days beyond two days ("3.2 d"). */
function duration(hours) {
  if (hours === null || hours === undefined) return "—";
  return hours >= 48 ? `${(hours / 24).toFixed(1)} d` : `${hours} h`;
}

const range = (field, from, to) => `${field}_after=${encodeURIComponent(from)}${to ? `&${field}_before=${encodeURIComponent(to)}` : ""}`;

export function trendPanels(trends, perf) {
  const days = trends.created_vs_completed;
  const created = days.reduce((n, d) => n + d.created, 0);
  const completed = days.reduce((n, d) => n + d.completed, 0);
  const open = (day, series) => {
    const next = days[days.indexOf(day) + 1];
    go(`#/tasks?${range(series === "created" ? "created" : "resolved", day.start, next && next.start)}`);
  };
  const overdue = trends.overdue_by_assignee.map((o) => ({
    label: o.username || "unassigned",
    value: o.overdue,
    onClick: () => go(`#/tasks?overdue=true&assigned_to=${o.user_id || "null"}`),
  }));
  return [
    panel("Overdue by assignee", { id: "chart-overdue" },
      overdue.length ? barChart(overdue, { title: "Overdue tasks by assignee" }) : h("p", { class: "muted" }, "Nothing is overdue.")),
    panel("Track record", { id: "track-record" },
      h("p", { class: "muted" }, "Tasks done, SLA breaches and average time to resolve, all time."),
      dataTable({
        id: "track-table",
        cls: "compact",
        columns: [
          { label: "Person", cell: (p) => h("a", { href: `#/tasks?assigned_to=${p.user_id}` }, p.username) },
          { label: "Done", cell: (p) => String(p.completed_tasks), class: "num" },
          { label: "Breaches", cell: (p) => h("span", { class: p.sla_breaches ? "red" : null }, String(p.sla_breaches)), class: "num" },
          { label: "Avg. time", cell: (p) => duration(p.avg_resolution_hours), class: "num" },
        ],
        rows: perf.team_performance,
        empty: "Nobody takes work yet.",
      })),
    panel(`Created vs completed, last ${days.length} days`, { id: "chart-flow", class: "panel wide" },
      h("div", { class: "legend" },
        h("span", {}, h("span", { class: "swatch created" }), `created ${created}`),
        h("span", {}, h("span", { class: "swatch completed" }), `completed ${completed}`)),
      // On a phone the chart keeps a legible size and scrolls sideways.
      h("div", { class: "chart-scroll" }, flowChart(days, { title: `${created} created and ${completed} completed in ${days.length} days`, open }))),
    panel("Cycle time by type", { id: "cycle-time" },
      h("p", { class: "muted" }, `Creation to completion, tasks completed in the last ${days.length} days.`),
      dataTable({
        id: "cycle-table",
        cls: "compact",
        columns: [
          { label: "Type", cell: (c) => c.task_type },
          { label: "Done", cell: (c) => String(c.completed), class: "num" },
          { label: "Median", cell: (c) => duration(c.median_hours), class: "num" },
          { label: "85th pct.", cell: (c) => duration(c.p85_hours), class: "num" },
        ],
        rows: trends.cycle_time_by_type,
        empty: "Nothing was completed in this period.",
      })),
  ];
}
