// SVG charts and the workflow diagram, drawn with DOM calls (labels are text nodes).

import { s } from "../dom.js";

/** Clickable chart parts are links for the keyboard too: Tab reaches them, Enter follows. */
function linkAttrs(label, onClick) {
  if (!onClick) return {};
  return { onclick: onClick, style: "cursor:pointer", tabindex: 0, role: "link", "aria-label": label,
    onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onClick(); } } };
}

/**
 * A horizontal bar chart. `rows`: [{label, value, onClick?}]. Scales to its container.
 */
export function barChart(rows, { title } = {}) {
  // Sized close to the panel's width so the text stays legible after scaling.
  const rowHeight = 30;
  const labelWidth = 100;
  const width = 340;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const height = rows.length * rowHeight + 8;
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", "aria-label": title || "chart" });
  rows.forEach((row, i) => {
    const y = i * rowHeight + 4;
    const barWidth = ((width - labelWidth - 40) * row.value) / max;
    const group = s("g", { class: "bar-row", "data-label": row.label, ...linkAttrs(`${row.label}: ${row.value}`, row.onClick) });
    group.append(
      s("title", {}, `${row.label}: ${row.value}`),
      s("text", { x: labelWidth - 8, y: y + 17, "text-anchor": "end" }, row.label),
      s("rect", { class: "bar-rect", x: labelWidth, y: y + 4, width: Math.max(barWidth, row.value ? 2 : 0), height: rowHeight - 10, rx: 3 }),
      s("text", { x: labelWidth + barWidth + 6, y: y + 17 }, String(row.value)),
    );
    svg.append(group);
  });
  return svg;
}

/**
 * The workflow's state machine: states left to right in their configured order, forward
 * rules as arcs above, backward rules below; the initial state has a double border and
 * final states are filled.
 */
export function workflowDiagram(workflow) {
  const states = workflow.allowed_states;
  const boxW = 120, boxH = 40, gap = 50, pad = 20;
  const index = new Map(states.map((st, i) => [st, i]));
  const rules = workflow.transitions || [];
  const spanOf = (r) => Math.abs(index.get(r.to_state) - index.get(r.from_state));
  const maxSpan = Math.max(1, ...rules.map(spanOf));
  const arc = (span) => 18 + span * 22;
  const top = pad + arc(maxSpan);
  const width = pad * 2 + states.length * boxW + (states.length - 1) * gap;
  const height = top + boxH + arc(maxSpan) + pad + 24;
  const cx = (i) => pad + i * (boxW + gap) + boxW / 2;
  const svg = s("svg", { class: "diagram", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `State diagram of ${workflow.name}`, id: "workflow-diagram" });
  svg.append(s("defs", {},
    s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      s("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#6b7280" }))));
  for (const rule of rules) {
    const a = index.get(rule.from_state), b = index.get(rule.to_state);
    if (a === undefined || b === undefined) continue;
    const forward = b > a;
    const offset = forward ? 10 : -10;
    const x1 = cx(a) + offset, x2 = cx(b) + offset;
    const y = forward ? top : top + boxH;
    const lift = arc(spanOf(rule)) * (forward ? -1 : 1);
    const path = s("path", {
      d: `M ${x1} ${y} C ${x1} ${y + lift}, ${x2} ${y + lift}, ${x2} ${y}`,
      fill: "none", stroke: forward ? "#2f6fed" : "#b26a00", "stroke-width": 1.6, "marker-end": "url(#arrow)",
    });
    path.append(s("title", {}, `${rule.from_state} → ${rule.to_state}: ${rule.allowed_roles.join(", ")}`));
    svg.append(path);
  }
  states.forEach((state, i) => {
    const x = cx(i) - boxW / 2;
    const final = workflow.final_states.includes(state);
    const initial = workflow.initial_state === state;
    const g = s("g", { class: "state", "data-state": state });
    if (initial) g.append(s("rect", { x: x - 4, y: top - 4, width: boxW + 8, height: boxH + 8, rx: 10, fill: "none", stroke: "#1e8e3e", "stroke-width": 2 }));
    g.append(
      s("rect", { x, y: top, width: boxW, height: boxH, rx: 7, fill: final ? "#1d2430" : "#fff", stroke: final ? "#1d2430" : "#9aa3af", "stroke-width": 1.5 }),
      s("text", { x: cx(i), y: top + boxH / 2 + 5, "text-anchor": "middle", fill: final ? "#fff" : "#1d2430" }, state),
    );
    if (initial || final) {
      g.append(s("text", { x: cx(i), y: height - 8, "text-anchor": "middle", fill: initial ? "#1e8e3e" : "#6b7280", "font-size": 11 }, initial ? "start" : "final"));
    }
    svg.append(g);
  });
  return svg;
}

/** One bar split into coloured parts: [{label, value, color}]. */
export function stackedBar(parts, { title } = {}) {
  const total = parts.reduce((sum, p) => sum + p.value, 0);
  const svg = s("svg", { class: "chart stacked", viewBox: "0 0 300 16", width: "100%", height: 16, preserveAspectRatio: "none", role: "img", "aria-label": title || "" });
  let x = 0;
  for (const part of parts) {
    const w = total ? (300 * part.value) / total : 0;
    if (w > 0) {
      const rect = s("rect", { x, y: 0, width: w, height: 16, fill: part.color });
      rect.append(s("title", {}, `${part.label}: ${part.value}`));
      svg.append(rect);
    }
    x += w;
  }
  if (!total) svg.append(s("rect", { x: 0, y: 0, width: 300, height: 16, fill: "#eef0f3" }));
  return svg;
}

/**
 * Two series per day side by side (created, completed): `days` [{date, created, completed}],
 * `open(day, series)` follows a bar. Dates label the last day and every seventh before it.
 */
export function flowChart(days, { title, open } = {}) {
  const width = 1000;
  const height = 200;
  const left = 28;
  const bottom = 22;
  const step = (width - left) / Math.max(1, days.length);
  const bar = Math.max(2, step / 2 - 1.5);
  const max = Math.max(1, ...days.map((d) => Math.max(d.created, d.completed)));
  const scale = (v) => ((height - bottom - 14) * v) / max;
  const label = (d) => new Date(`${d.date}T12:00:00Z`).toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
  const svg = s("svg", { class: "chart flow", viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", "aria-label": title || "chart" },
    s("text", { x: left - 4, y: 12, "text-anchor": "end", class: "axis" }, String(max)),
    s("text", { x: left - 4, y: height - bottom, "text-anchor": "end", class: "axis" }, "0"),
    s("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom, class: "axis-line" }));
  days.forEach((d, i) => {
    const x = left + i * step + 1;
    for (const [series, offset] of [["created", 0], ["completed", bar + 1]]) {
      const h = scale(d[series]);
      const text = `${label(d)}: ${d[series]} ${series}`;
      svg.append(s("rect", { class: `flow-${series}`, "data-date": d.date, "data-series": series, x: x + offset, y: height - bottom - h, width: bar, height: Math.max(h, d[series] ? 1 : 0),
        ...linkAttrs(text, d[series] && open ? () => open(d, series) : null) }, s("title", {}, text)));
    }
    if ((days.length - 1 - i) % 7 === 0) {
      const last = i === days.length - 1;
      svg.append(s("text", { x: last ? width : x + bar, y: height - 6, "text-anchor": last ? "end" : "middle", class: "axis" }, label(d)));
    }
  });
  return svg;
}
