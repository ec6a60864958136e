// The frame of a page: its heading with the page's actions, and titled panels.

import { h } from "../dom.js";

/** The page's `<h1>` with its actions (buttons, links) on the right. */
export function pageHead(title, ...actions) {
  return h("div", { class: "page-head" }, h("h1", {}, title), ...actions);
}

/** A titled panel: `panel("SLA health", {id: "sla-health"}, ...children)`. */
export function panel(title, attrs, ...children) {
  return h("section", { class: "panel", ...attrs }, title ? h("h2", {}, title) : null, ...children);
}
