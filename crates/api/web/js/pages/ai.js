// The local AI: questions in plain English, priority score breakdowns, routing with reasons.

import { get, post, query } from "../api.js";
import { badge, h, mount, progress } from "../dom.js";
import { may } from "../session.js";
import { attempt } from "../components/ui.js";
import { priorityBadge } from "./tasks.js";

const FACTOR_WEIGHTS = { keyword_score: 0.35, type_score: 0.15, priority_score: 0.15, deadline_score: 0.2, age_score: 0.15 };

export async function aiPage(main, _params, q) {
  const recent = await get(`/tasks/${query({ page_size: 100, ordering: "-created_at" })}`);
  const queryResults = h("div", { id: "nlq-results" });
  const question = h("input", { id: "nlq-input", type: "search", placeholder: "e.g. unassigned tasks, overdue critical bugs, my tasks", value: q.q || "", style: "flex:1;min-width:220px" });
  const ask = h("form", { class: "toolbar", id: "nlq-form" }, question, h("button", { type: "submit", class: "primary" }, "Ask"));
  ask.addEventListener("submit", (e) => {
    e.preventDefault();
    attempt(() => runQuery(question.value, queryResults));
  });

  const taskSelect = (id) => h("select", { id, "aria-label": "Task" }, recent.results.map((t) => h("option", { value: t.id }, `${t.task_key} · ${t.title}`)));
  const scoreTask = taskSelect("score-task");
  const scoreOut = h("div", { id: "score-out" });
  const routeTask = taskSelect("route-task");
  const routeOut = h("div", { id: "route-out" });
  const allOut = h("div", { id: "score-all-out" });

  mount(main,
    h("h1", {}, "AI assistant"),
    h("p", { class: "muted" }, "Everything here runs inside Switchyard: no external service sees your data."),
    h("section", { class: "panel" }, h("h2", {}, "Ask about your tasks"), ask, queryResults),
    h("div", { class: "grid" },
      h("section", { class: "panel" }, h("h2", {}, "Priority score"),
        recent.results.length ? h("div", { class: "toolbar" }, scoreTask,
          may("score_tasks") ? h("button", { type: "button", class: "primary", onclick: () => attempt(() => showScore(scoreTask.value, scoreOut)) }, "Score") : h("span", { class: "muted" }, "Read-only roles cannot score.")) : h("p", { class: "muted" }, "No tasks yet."),
        scoreOut),
      h("section", { class: "panel" }, h("h2", {}, "Who should take it?"),
        recent.results.length ? h("div", { class: "toolbar" }, routeTask,
          h("button", { type: "button", class: "primary", onclick: () => attempt(() => showRouting(routeTask.value, routeOut)) }, "Recommend")) : null,
        routeOut)),
    may("score_all_tasks") ? h("section", { class: "panel" }, h("h2", {}, "Score every active task"),
      h("button", { type: "button", onclick: () => attempt(() => scoreAll(allOut)) }, "Score all"), allOut) : null);
  if (q.q) attempt(() => runQuery(q.q, queryResults));
}

async function runQuery(question, target) {
  const r = await post("/ai/query/", { question });
  const filters = Object.entries(r.parsed_filters || {});
  mount(target,
    h("div", { class: "chips", id: "nlq-filters", style: "margin:8px 0" }, filters.length
      ? filters.map(([k, v]) => badge(`${k}: ${Array.isArray(v) ? v.join(", ") : v}`, "blue"))
      : h("span", { class: "muted" }, "No filters recognised: showing everything.")),
    h("p", { class: "muted" }, r.explanation),
    h("p", { id: "nlq-count" }, `${r.count} task${r.count === 1 ? "" : "s"}`),
    h("div", { class: "table-wrap" }, h("table", { id: "nlq-table" },
      h("thead", {}, h("tr", {}, ["Key", "Title", "State", "Priority", "Type", "Assignee", "SLA"].map((c) => h("th", {}, c)))),
      h("tbody", {}, r.results.map((t) => h("tr", {},
        h("td", { class: "nowrap" }, h("a", { href: `#/tasks/key/${encodeURIComponent(t.task_key)}` }, t.task_key)),
        h("td", { class: "title-cell" }, t.title),
        h("td", {}, badge(t.state, "blue")),
        h("td", {}, priorityBadge(t.priority)),
        h("td", {}, t.type),
        h("td", {}, t.assigned_to || h("span", { class: "muted" }, "unassigned")),
        h("td", {}, t.sla_breached ? badge("breached", "red") : "")))))));
}

async function showScore(taskId, target) {
  const r = await post("/ai/score-priority/", { task_id: taskId });
  const a = r.priority_analysis;
  mount(target,
    h("p", {}, h("span", { class: "score-big" }, a.score.toFixed(2)), " ", h("span", { class: "muted" }, `≈ ${r.estimated_hours} h of work`)),
    h("p", {}, a.explanation),
    Object.entries(a.factors).map(([name, value]) => h("div", { class: "barrow" },
      h("span", {}, `${name.replace("_score", "")} ×${FACTOR_WEIGHTS[name] ?? ""}`),
      progress(value, value.toFixed(2), true),
      h("span", { class: "muted" }, value.toFixed(2)))));
}

async function showRouting(taskId, target) {
  const r = await post("/ai/recommend-assignee/", { task_id: taskId });
  const autoAssign = may("auto_assign") ? h("button", { type: "button", class: "primary", onclick: () => attempt(async () => {
    const done = await post("/ai/auto-assign/", { task_id: taskId });
    mount(result, badge(done.message, "green"));
  }) }, "Auto-assign the best match") : null;
  const result = h("div", { style: "margin-top:8px" });
  mount(target,
    h("p", {}, "Skills the task needs: ", r.required_skills.length ? r.required_skills.map((s) => badge(s)) : h("span", { class: "muted" }, "none detected")),
    r.recommendations.length ? h("div", { class: "table-wrap" }, h("table", {},
      h("thead", {}, h("tr", {}, ["#", "Person", "Skill", "Availability", "Track record", "Total", "Why"].map((c) => h("th", {}, c)))),
      h("tbody", {}, r.recommendations.map((p, i) => h("tr", {},
        h("td", {}, String(i + 1)), h("td", {}, p.username),
        h("td", {}, progress(p.factors.skill_match, null, true)), h("td", {}, progress(p.factors.availability, null, true)), h("td", {}, progress(p.factors.past_performance, null, true)),
        h("td", {}, p.total_score.toFixed(2)), h("td", { class: "muted" }, p.reasoning))))))
      : h("p", { class: "muted" }, "Nobody can take work right now."),
    autoAssign, result);
}

async function scoreAll(target) {
  const r = await post("/ai/score-all/");
  mount(target,
    h("p", {}, `${r.scored_count} tasks scored.`),
    h("div", { class: "table-wrap" }, h("table", {},
      h("thead", {}, h("tr", {}, ["Key", "Score", "Estimate", "Explanation"].map((c) => h("th", {}, c)))),
      h("tbody", {}, r.results.slice(0, 50).map((t) => h("tr", {},
        h("td", {}, h("a", { href: `#/tasks/key/${encodeURIComponent(t.task_key)}` }, t.task_key)),
        h("td", {}, t.score.toFixed(2)), h("td", {}, `${t.estimated_hours} h`), h("td", { class: "muted" }, t.explanation)))))));
}
