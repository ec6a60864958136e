// Modal dialogs: the error modal (must be acknowledged), confirmations with an optional
// reason, and generic forms whose API errors keep the form open.

import { h } from "../dom.js";

const root = () => document.getElementById("modal-root");

/** Opens a modal. Escape and a click beside it dismiss it (when it may be dismissed:
 * `onEscape`); when it closes, focus returns to what had it (the button that opened it). */
function open(modal, onEscape) {
  const trigger = document.activeElement;
  const backdrop = h("div", { class: "modal-backdrop" }, modal);
  backdrop.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && onEscape) onEscape();
  });
  backdrop.addEventListener("mousedown", (e) => {
    if (e.target === backdrop && onEscape) onEscape();
  });
  root().appendChild(backdrop);
  const focusable = modal.querySelector("input, select, textarea, button.primary, button");
  if (focusable) focusable.focus();
  return () => {
    backdrop.remove();
    if (trigger && trigger.isConnected && typeof trigger.focus === "function") trigger.focus();
  };
}

/** A dialog that only shows something (the keyboard shortcuts); Escape, a click beside it
 * or Close dismisses it. */
export function infoDialog({ title, id, body }) {
  let close;
  const modal = h("div", { class: "modal", role: "dialog", "aria-modal": "true", id },
    h("h2", {}, title), body,
    h("div", { class: "actions" }, h("button", { class: "primary", type: "button", onclick: () => close() }, "Close")));
  close = open(modal, () => close());
}

/** Shows an API (or other) error, titled by what failed when the caller says; resolves
 * once the user presses OK. */
export function showError(error, what) {
  return new Promise((resolve) => {
    const fieldErrors = error && error.fieldErrors ? Object.entries(error.fieldErrors) : [];
    const list = fieldErrors.length > 1
      ? h("ul", { class: "field-errors" }, fieldErrors.map(([field, msgs]) => h("li", {}, `${field}: ${[].concat(msgs).join(" ")}`)))
      : null;
    const title = what || (error && error.status === 403 ? "Not allowed" : error && error.status === 409 ? "Conflict" : "Something went wrong");
    let close;
    const ok = h("button", { class: "primary", type: "button", "data-test": "error-ok", onclick: () => { close(); resolve(); } }, "OK");
    const modal = h("div", { class: "modal error", role: "alertdialog", "aria-modal": "true", id: "error-modal" },
      h("h2", {}, title),
      h("p", { class: "pre", id: "error-message" }, error && error.message ? error.message : String(error)),
      list,
      h("div", { class: "actions" }, ok));
    close = open(modal, null);
    ok.focus();
  });
}

/** Runs `fn`, showing any error in the error modal (titled `what`, e.g. "Could not
 * assign"). The button that started it is disabled meanwhile, so a double-click acts once.
 * Resolves to fn's result or undefined. */
export async function attempt(fn, what) {
  const trigger = document.activeElement instanceof HTMLButtonElement && !document.activeElement.disabled
    ? document.activeElement : null;
  if (trigger) trigger.disabled = true;
  try {
    return await fn();
  } catch (e) {
    console.error(e);
    await showError(e, what);
    return undefined;
  } finally {
    if (trigger) {
      trigger.disabled = false;
      // A dialog it opened gave the focus back while it was disabled: give it now.
      if (trigger.isConnected && (document.activeElement === document.body || !document.activeElement)) trigger.focus();
    }
  }
}

/** A short confirmation that goes away by itself ("Comment added."), read out by screen
 * readers; it never takes the focus. */
export function toast(message) {
  let region = document.getElementById("toasts");
  if (!region) {
    region = h("div", { id: "toasts", role: "status", "aria-live": "polite" });
    document.body.appendChild(region);
  }
  const note = h("div", { class: "toast" }, message);
  region.appendChild(note);
  setTimeout(() => note.remove(), 2500);
}

/**
 * A form in a modal. `fields`: [{name, label, type, options, value, required, hint}].
 * `onSubmit(values)` runs the API call; on error the message is shown and the form stays.
 * Resolves to onSubmit's result, or null when cancelled. `done` ("Task created.") confirms
 * success in a short message; callers that re-render pass theirs to `rerender` instead.
 */
export function formDialog({ title, fields, submitLabel = "Save", onSubmit, intro, done }) {
  return new Promise((resolve) => {
    const inputs = {};
    const rows = fields.map((f) => {
      const input = fieldInput(f);
      inputs[f.name] = { field: f, input };
      return h("label", {}, h("span", {}, f.label, f.hint ? h("span", { class: "hint" }, ` — ${f.hint}`) : null), input,
        f.type === "datetime-local" ? pastWarning(input) : null);
    });
    let close;
    const cancel = () => { close(); resolve(null); };
    const submit = h("button", { class: "primary", type: "submit" }, submitLabel);
    const form = h("form", { class: "form-grid", novalidate: true },
      intro ? h("p", { class: "muted" }, intro) : null,
      rows,
      h("div", { class: "actions" }, h("button", { type: "button", onclick: cancel }, "Cancel"), submit));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      // A half-typed date reads as empty; refuse it rather than drop it silently.
      const unfinished = Object.values(inputs).find(({ input }) => input.validity && input.validity.badInput);
      if (unfinished) {
        await showError(new Error(`${unfinished.field.label}: finish the date and time, or clear the field.`));
        return;
      }
      const values = {};
      for (const [name, { field, input }] of Object.entries(inputs)) values[name] = readField(field, input);
      submit.disabled = true;
      try {
        const result = await onSubmit(values);
        close();
        if (done) toast(done);
        resolve(result === undefined ? true : result);
      } catch (err) {
        await showError(err);
      } finally {
        submit.disabled = false;
      }
    });
    const modal = h("div", { class: "modal", role: "dialog", "aria-modal": "true", "aria-label": title }, h("h2", {}, title), form);
    close = open(modal, cancel);
  });
}

/** A note under a date field while its value lies in the past. */
export function pastWarning(input) {
  const note = h("span", { class: "hint red", role: "status" });
  const check = () => {
    const past = input.value && new Date(input.value) < new Date();
    note.textContent = past ? "This is in the past: the task will count as overdue at once." : "";
  };
  input.addEventListener("input", check);
  check();
  return note;
}

function fieldInput(f) {
  const name = f.name;
  switch (f.type) {
    case "select":
      return h("select", { name }, f.options.map((o) => {
        const [value, label] = Array.isArray(o) ? o : [o, o];
        return h("option", { value, selected: String(value) === String(f.value ?? "") }, label);
      }));
    case "checks": {
      const chosen = new Set(f.value || []);
      return h("div", { class: "checks", "data-name": name }, f.options.map((o) => {
        const [value, label] = Array.isArray(o) ? o : [o, o];
        return h("label", {}, h("input", { type: "checkbox", value, checked: chosen.has(value) }), label);
      }));
    }
    case "textarea":
      return h("textarea", { name, value: f.value ?? "" });
    case "checkbox":
      return h("input", { type: "checkbox", name, checked: Boolean(f.value) });
    default:
      return h("input", { name, type: f.type || "text", value: f.value ?? "", required: f.required, autocomplete: f.type === "password" ? "new-password" : "off", min: f.min, max: f.max });
  }
}

function readField(f, input) {
  switch (f.type) {
    case "checks":
      return [...input.querySelectorAll("input:checked")].map((c) => c.value);
    case "checkbox":
      return input.checked;
    case "number":
      return input.value === "" ? null : Number(input.value);
    default:
      return input.value;
  }
}

/**
 * Asks for confirmation, optionally with a reason. Resolves to {reason} or null.
 */
export function confirmDialog({ title, message, confirmLabel = "Confirm", withReason = false, danger = false }) {
  return new Promise((resolve) => {
    let close;
    const reason = withReason ? h("textarea", { name: "reason", placeholder: "Reason (optional, kept in the audit log)" }) : null;
    const done = (value) => { close(); resolve(value); };
    const ok = h("button", { class: danger ? "primary danger" : "primary", type: "button", "data-test": "confirm", onclick: () => done({ reason: reason ? reason.value : "" }) }, confirmLabel);
    const modal = h("div", { class: "modal", role: "dialog", "aria-modal": "true", id: "confirm-modal" },
      h("h2", {}, title),
      message ? h("p", { class: "pre" }, message) : null,
      reason,
      h("div", { class: "actions" }, h("button", { type: "button", onclick: () => done(null) }, "Cancel"), ok));
    close = open(modal, () => done(null));
    (reason || ok).focus();
  });
}
