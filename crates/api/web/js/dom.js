// DOM building without HTML strings: every piece of text becomes a text node, so
// user-supplied titles, comments and names can never be interpreted as markup.

const SVG_NS = "http://www.w3.org/2000/svg";

function append(parent, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    child.forEach((c) => append(parent, c));
  } else if (child instanceof Node) {
    parent.appendChild(child);
  } else {
    parent.appendChild(document.createTextNode(String(child)));
  }
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "value" && "value" in el) {
      el.value = value;
    } else if (key === "checked" || key === "selected" || key === "disabled" || key === "hidden") {
      el[key] = Boolean(value);
    } else if (key === "href" && !/^[#/]/.test(String(value))) {
      // Only in-app links; never javascript: or foreign URLs built from data.
      el.setAttribute("href", "#/");
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
}

/** Creates an HTML element: h("a", {href: "#/"}, "text", otherNode). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Creates an SVG element (charts and the workflow diagram). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

/** Replaces the content of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** The day alone ("Jan 1, 2030"), for narrow table columns; pair it with `fmtDate` in a
 * tooltip. */
export function fmtDay(value) {
  if (!value) return "—";
  return new Date(value).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function fmtDate(value) {
  if (!value) return "—";
  const d = new Date(value);
  return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function fmtRelative(value) {
  if (!value) return "";
  const seconds = (Date.now() - new Date(value).getTime()) / 1000;
  const abs = Math.abs(seconds);
  const [n, unit] = abs < 60 ? [abs, "s"] : abs < 3600 ? [abs / 60, "min"] : abs < 86400 ? [abs / 3600, "h"] : [abs / 86400, "d"];
  const text = `${Math.round(n)} ${unit}`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

/** `2026-11-22T10:00:00Z` → the value a datetime-local input shows, in local time. */
export function toLocalInput(value) {
  if (!value) return "";
  const d = new Date(value);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value → ISO 8601 with offset, or null when empty. */
export function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

export function badge(text, cls) {
  return h("span", { class: `badge ${cls || ""}` }, text);
}

/** Splits "a, b ,c" into ["a", "b", "c"]. */
export function splitList(text) {
  return String(text || "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

/** Renders a JSON value from the audit log as readable `key: value` lines. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
/** How audit values name things for people: the name instead of the id beside it. */
const LABELS = { username: "person", assigned_to: "person", due_date: "due" };

/** An audit value for people: names rather than ids, local times rather than UTC stamps. */
export function describeValue(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "object") return String(value);
  const named = Object.prototype.hasOwnProperty.call(value, "username");
  const several = Object.keys(value).length > 1;
  const entries = Object.entries(value)
    // An id next to a name says nothing more to a reader; a lone id stays.
    .filter(([k, v]) => !(named && k !== "username" && typeof v === "string" && UUID.test(v)))
    // So does a `…_id` beside the fields that name it (a blocker's key).
    .filter(([k, v]) => !(several && k.endsWith("_id") && typeof v === "string" && UUID.test(v)))
    .filter(([k]) => !(named && k === "assigned_to"));
  if (!entries.length) return "—";
  const show = (v) => {
    if (v === null) return "—";
    if (typeof v === "object") return JSON.stringify(v);
    if (typeof v === "string" && ISO_TIME.test(v)) return fmtDate(v);
    return String(v);
  };
  return entries.map(([k, v]) => `${LABELS[k] || k.replace(/_/g, " ")}: ${show(v)}`).join("\n");
}

/**
 * A horizontal bar for a ratio. As a load (the default) it turns amber from 80 % and red
 * above 100 %; `neutral` keeps it blue (scores, factors).
 */
export function progress(ratio, title, neutral = false) {
  const pct = Math.max(0, Math.min(1, ratio)) * 100;
  const cls = neutral ? "bar" : ratio > 1 ? "bar over" : ratio >= 0.8 ? "bar warn" : "bar";
  return h("div", { class: cls, title: title || `${Math.round(ratio * 100)}%`, role: "progressbar", "aria-valuenow": Math.round(ratio * 100) }, h("span", { style: `width:${pct}%` }));
}
