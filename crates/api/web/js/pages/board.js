// The board: one workflow's states as columns and its tasks as cards, filtered by project,
// assignee and priority. Dragging a card (mouse, pen or touch: pointer events) to another
// column asks for a reason and performs the transition; a refusal snaps the card back to
// where it was and shows the server's message. The server decides every move: columns are
// not pre-filtered by the caller's rules.

import { all, get, post, query } from "../api.js";
import { pageHead } from "../components/page.js";
import { confirmDialog, showError, toast } from "../components/ui.js";
import { h, mount } from "../dom.js";
import { setQuery } from "../router.js";
import { session } from "../session.js";
import { priorityBadge } from "./tasks.js";

/** Cards shown per column (the column's header gives the full count). */
const PER_COLUMN = 50;

export async function boardPage(main, _params, q) {
  const [workflows, projects, users] = await Promise.all([all("/workflows/"), all("/projects/"), all("/users/")]);
  if (!workflows.length) {
    mount(main, pageHead("Board"), h("p", { class: "muted" }, "No workflows yet."));
    return;
  }
  const wf = workflows.find((w) => w.id === q.workflow) || workflows.find((w) => w.is_default) || workflows[0];
  const filters = { project: q.project || "", assigned_to: q.assigned_to || "", priority: q.priority || "" };
  const lists = await Promise.all(wf.allowed_states.map((state) =>
    get(`/tasks/${query({ workflow: wf.id, current_state: state, ...filters, page_size: PER_COLUMN })}`)));
  const pick = (name, label, options, value) => {
    const select = h("select", { id: `board-${name}`, "aria-label": label },
      options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
    select.addEventListener("change", () => setQuery({ workflow: wf.id, ...filters, [name]: select.value }));
    return select;
  };
  const toolbar = h("div", { class: "toolbar", id: "board-filters" },
    pick("workflow", "Workflow", workflows.map((w) => [w.id, w.name]), wf.id),
    pick("project", "Project", [["", "All projects"], ...projects.map((p) => [p.id, `${p.key} · ${p.name}`])], filters.project),
    pick("assigned_to", "Assignee", [["", "Anyone"], ...users.map((u) => [u.id, u.username])], filters.assigned_to),
    pick("priority", "Priority", [["", "Any priority"], ...session.org.allowed_priorities.map((p) => [p, p])], filters.priority));
  const board = h("div", { class: "board", id: "board" }, wf.allowed_states.map((state, i) => column(wf, state, lists[i])));
  enableDrag(board, move);
  mount(main, pageHead(`Board · ${wf.name}`), toolbar,
    h("p", { class: "muted" }, "Drag a card to another column to move the task; the workflow's rules decide."),
    board);
}

function column(wf, state, list) {
  const kind = state === wf.cancel_state ? "cancel" : wf.final_states.includes(state) ? "final" : state === wf.initial_state ? "initial" : "";
  return h("section", { class: `column ${kind}`, "data-column": state, "aria-label": state },
    h("header", { class: "column-head" }, h("strong", {}, state), " ", h("span", { class: "muted", "data-count": list.count }, String(list.count))),
    h("div", { class: "cards" }, list.results.map(card),
      list.count > list.results.length
        ? h("a", { class: "more", href: `#/tasks${query({ workflow: wf.id, current_state: state })}` }, `All ${list.count} in the task list`)
        : null));
}

function card(t) {
  return h("article", { class: "card", "data-task": t.id, "data-key": t.task_key, "data-state": t.current_state },
    h("div", { class: "card-top" }, h("a", { href: `#/tasks/${t.id}`, class: "task-key" }, t.task_key), priorityBadge(t.priority)),
    h("div", { class: "card-title" }, t.title),
    h("div", { class: "muted card-meta" }, [t.project_key, t.assigned_to_name || "unassigned"].filter(Boolean).join(" · ")));
}

/** The column under a point, if any. */
function columnAt(x, y) {
  const el = document.elementFromPoint(x, y);
  return el ? el.closest("[data-column]") : null;
}

/** Pointer dragging: a card follows the pointer once it moved 5 px; dropping it on another
 * column calls `onDrop(card, column)`. A plain click (or a click on its link) stays a click. */
function enableDrag(board, onDrop) {
  let drag = null;
  const highlight = (col) => {
    for (const c of board.querySelectorAll(".column.drop")) if (c !== col) c.classList.remove("drop");
    if (col) col.classList.add("drop");
  };
  const moveTo = (e) => {
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.active) {
      if (Math.hypot(dx, dy) < 5) return;
      drag.active = true;
      drag.card.classList.add("dragging");
    }
    e.preventDefault();
    drag.card.style.transform = `translate(${dx}px, ${dy}px) rotate(2deg)`;
    highlight(columnAt(e.clientX, e.clientY));
  };
  const end = (e) => {
    window.removeEventListener("pointermove", moveTo);
    window.removeEventListener("pointerup", end);
    window.removeEventListener("pointercancel", end);
    const d = drag;
    drag = null;
    highlight(null);
    if (!d || !d.active) return;
    d.card.classList.remove("dragging");
    d.card.style.transform = "";
    // The click that follows a drag must not open the task.
    d.card.addEventListener("click", (c) => c.preventDefault(), { capture: true, once: true });
    const target = e.type === "pointerup" ? columnAt(e.clientX, e.clientY) : null;
    if (target && target.dataset.column !== d.card.dataset.state) onDrop(d.card, target);
  };
  board.addEventListener("pointerdown", (e) => {
    const c = e.target.closest(".card");
    if (!c || e.button !== 0 || c.classList.contains("moving")) return;
    drag = { card: c, x: e.clientX, y: e.clientY, active: false };
    window.addEventListener("pointermove", moveTo);
    window.addEventListener("pointerup", end);
    window.addEventListener("pointercancel", end);
  });
  // No native drag of the card's link or text while dragging the card.
  board.addEventListener("dragstart", (e) => e.preventDefault());
}

function bump(column, by) {
  const count = column.querySelector("[data-count]");
  const n = Number(count.dataset.count) + by;
  count.dataset.count = n;
  count.textContent = String(n);
}

/** Moves the card to `target` at once, asks for a reason, and performs the transition;
 * puts the card back where it was when the user cancels or the server refuses. */
async function move(card, target) {
  const from = card.closest("[data-column]");
  const next = card.nextSibling;
  const to = target.dataset.column;
  const key = card.dataset.key;
  const snapBack = () => {
    from.querySelector(".cards").insertBefore(card, next && next.parentNode === from.querySelector(".cards") ? next : null);
    card.classList.remove("moving");
  };
  card.classList.add("moving");
  target.querySelector(".cards").prepend(card);
  const answer = await confirmDialog({ title: `Move ${key} to ${to}?`, message: `From ${card.dataset.state} to ${to}.`, confirmLabel: `Move to ${to}`, withReason: true });
  if (!answer) return snapBack();
  const body = { to_state: to };
  if (answer.reason.trim()) body.reason = answer.reason.trim();
  try {
    await post(`/tasks/${card.dataset.task}/transition/`, body);
  } catch (e) {
    snapBack();
    card.classList.add("refused");
    setTimeout(() => card.classList.remove("refused"), 1500);
    await showError(e, `Could not move ${key}`);
    return;
  }
  card.dataset.state = to;
  card.classList.remove("moving");
  bump(from, -1);
  bump(target, 1);
  toast(`${key} moved to ${to}.`);
}
