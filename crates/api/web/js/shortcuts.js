// Keyboard shortcuts: `c` new task, `/` search, `g` then a letter to go to a page, `?` lists
// them. Keys typed into a field, with a modifier, or while a dialog is open are left alone.

import { h } from "./dom.js";
import { hasSession } from "./api.js";
import { go } from "./router.js";
import { infoDialog } from "./components/ui.js";

/** `g` then one of these: [key, hash, page name]. */
const PAGES = [
  ["d", "#/", "Dashboard"],
  ["t", "#/tasks", "Tasks"],
  ["u", "#/users", "Users"],
  ["m", "#/teams", "Teams"],
  ["w", "#/workflows", "Workflows"],
  ["r", "#/transitions", "Transition rules"],
  ["i", "#/ai", "AI assistant"],
  ["a", "#/audit", "Audit log"],
  ["o", "#/organization", "Organization"],
  ["p", "#/profile", "Profile"],
];

/** Waits (up to 3 s) for an element of the next page, then acts on it. */
function whenThere(css, act) {
  const started = Date.now();
  const tick = () => {
    const el = document.querySelector(css);
    if (el) act(el);
    else if (Date.now() - started < 3000) setTimeout(tick, 50);
  };
  tick();
}

function typing(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function showHelp() {
  const row = (keys, what) => h("tr", {}, h("td", {}, ...keys.map((k) => h("kbd", {}, k))), h("td", {}, what));
  infoDialog({
    title: "Keyboard shortcuts",
    id: "shortcuts-modal",
    body: h("table", {}, h("tbody", {},
      row(["c"], "New task"),
      row(["/"], "Search tasks"),
      ...PAGES.map(([key, , name]) => row(["g", key], `Go to ${name}`)),
      row(["?"], "This list"),
      row(["Esc"], "Close a dialog"))),
  });
}

/** Listens for the shortcuts on the whole page. */
export function installShortcuts() {
  let pendingG = 0;
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target) || !hasSession()) return;
    if (document.getElementById("modal-root")?.children.length) return;
    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      const page = PAGES.find(([key]) => key === e.key);
      if (page) {
        e.preventDefault();
        go(page[1]);
      }
      return;
    }
    if (e.key === "g") {
      pendingG = Date.now();
    } else if (e.key === "/") {
      e.preventDefault();
      if (!document.getElementById("task-search")) go("#/tasks");
      whenThere("#task-search", (el) => el.focus());
    } else if (e.key === "c") {
      e.preventDefault();
      if (!document.getElementById("new-task")) go("#/tasks");
      whenThere("#new-task", (el) => el.click());
    } else if (e.key === "?") {
      e.preventDefault();
      showHelp();
    }
  });
}
