// Navigation helpers for pages, without importing the shell (which imports every page).

import { toast } from "./components/ui.js";

let renderer = () => {};

export function setRenderer(fn) {
  renderer = fn;
}

/** Set by `rerender`: the next render is the same page again, so it keeps the scroll
 * position (read and cleared by the shell). */
export let keepScroll = false;

export function takeKeepScroll() {
  const keep = keepScroll;
  keepScroll = false;
  return keep;
}

/** Renders the current page again (after a change), where the reader was; `done`
 * ("Team saved.") confirms the change in a short message. */
export function rerender(done) {
  keepScroll = true;
  if (done) toast(done);
  return renderer();
}

/** Goes to `hash` (e.g. "#/tasks"), rendering even when it is the current one. */
export function go(hash) {
  if (location.hash === hash || (hash === "#/" && location.hash === "")) renderer();
  else location.hash = hash;
}

/** Replaces the query string of the current page. */
export function setQuery(params) {
  const path = (location.hash.replace(/^#/, "") || "/").split("?")[0];
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const text = q.toString();
  go(`#${path}${text ? `?${text}` : ""}`);
}

/** Names the page in the browser's tab, history and bookmarks: "<what> · Switchyard". */
export function setTitle(what) {
  document.title = what ? `${what} · Switchyard` : "Switchyard";
}
