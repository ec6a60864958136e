// Workflows: the list, and one workflow drawn as a state diagram with its rules.

import { all, del, get, patch, post } from "../api.js";
import { workflowDiagram } from "../components/charts.js";
import { badge, h, mount, splitList } from "../dom.js";
import { pageHead } from "../components/page.js";
import { go, rerender } from "../router.js";
import { may, roleClass, session } from "../session.js";
import { attempt, confirmDialog, formDialog } from "../components/ui.js";

function workflowDialog(workflow) {
  return formDialog({
    title: workflow ? `Edit ${workflow.name}` : "New workflow",
    submitLabel: workflow ? "Save" : "Create workflow",
    intro: "States are comma-separated, in the order work flows. Rules are added afterwards.",
    fields: [
      { name: "name", label: "Name", value: workflow ? workflow.name : "", required: true },
      { name: "allowed_states", label: "States", value: workflow ? workflow.allowed_states.join(", ") : "open, in_progress, done" },
      { name: "initial_state", label: "Initial state", value: workflow ? workflow.initial_state : "open" },
      { name: "final_states", label: "Final states", hint: "comma-separated", value: workflow ? workflow.final_states.join(", ") : "done" },
      { name: "cancel_state", label: "Cancel state", hint: "the final state that means abandoned: never held back by blockers or sub-tasks (empty: none)", value: workflow ? workflow.cancel_state || "" : "" },
      { name: "complete_parent_requires_subtasks_done", label: "A task completes only once its sub-tasks are done", type: "checkbox", value: workflow ? workflow.complete_parent_requires_subtasks_done : false },
      { name: "is_default", label: "Default workflow for new tasks", type: "checkbox", value: workflow ? workflow.is_default : false },
    ],
    onSubmit: (v) => {
      const body = { name: v.name.trim(), allowed_states: splitList(v.allowed_states), initial_state: v.initial_state.trim(), final_states: splitList(v.final_states),
        complete_parent_requires_subtasks_done: v.complete_parent_requires_subtasks_done, is_default: v.is_default };
      // Empty on create: the server picks a final state called "cancelled", if any.
      if (v.cancel_state.trim() || workflow) body.cancel_state = v.cancel_state.trim() || null;
      return workflow ? patch(`/workflows/${workflow.id}/`, body) : post("/workflows/", body);
    },
    done: workflow ? null : "Workflow created.",
  });
}

export async function workflowsPage(main) {
  const workflows = await all("/workflows/");
  mount(main,
    pageHead("Workflows",
      may("manage_workflows") ? h("button", { type: "button", class: "primary", onclick: () => attempt(async () => { const w = await workflowDialog(null); if (w) go(`#/workflows/${w.id}`); }) }, "New workflow") : null),
    h("div", { class: "grid" }, workflows.map((w) => h("a", { class: "card", href: `#/workflows/${w.id}`, "data-workflow": w.name },
      h("h2", {}, w.name, w.is_default ? [" ", badge("default", "green")] : null),
      h("div", { class: "chips" }, w.allowed_states.map((st) => badge(st, w.final_states.includes(st) ? "" : st === w.initial_state ? "green" : "blue"))),
      h("p", { class: "muted" }, `${w.transitions.length} transition rules`)))));
}

export async function workflowPage(main, [id]) {
  const workflow = await get(`/workflows/${id}/`);
  mount(main,
    h("div", { class: "page-head" },
      h("h1", {}, workflow.name, workflow.is_default ? [" ", badge("default", "green")] : null),
      may("manage_workflows") ? h("div", { class: "toolbar", style: "margin:0" },
        h("button", { type: "button", onclick: () => attempt(async () => { if (await workflowDialog(workflow)) rerender("Workflow saved."); }) }, "Edit"),
        h("button", { type: "button", class: "danger", onclick: () => attempt(async () => {
          if (await confirmDialog({ title: `Delete ${workflow.name}?`, message: "Refused while tasks use it.", confirmLabel: "Delete", danger: true })) {
            await del(`/workflows/${workflow.id}/`);
            go("#/workflows");
          }
        }) }, "Delete")) : null),
    h("section", { class: "panel" },
      h("h2", {}, "State machine"),
      h("p", { class: "muted" }, "Green outline: initial state. Dark: final states. Blue arcs move forward, amber arcs move back; hover an arc for its roles."),
      h("p", { id: "workflow-completion" },
        workflow.cancel_state ? ["Cancel state: ", badge(workflow.cancel_state), " (never held back). "] : "No cancel state: every final state waits for blockers. ",
        workflow.complete_parent_requires_subtasks_done ? "A task completes only once its sub-tasks are done." : "Sub-tasks do not hold back their parent."),
      h("div", { class: "table-wrap" }, workflowDiagram(workflow))),
    rulesSection(workflow));
}

/** The workflow's rules with colour-coded roles; admins add and delete rules here. */
export function rulesSection(workflow) {
  const rules = [...workflow.transitions].sort((a, b) => workflow.allowed_states.indexOf(a.from_state) - workflow.allowed_states.indexOf(b.from_state));
  const addRule = async () => {
    const states = workflow.allowed_states;
    const created = await formDialog({
      title: "New transition rule",
      submitLabel: "Add rule",
      fields: [
        { name: "from_state", label: "From", type: "select", options: states, value: states[0] },
        { name: "to_state", label: "To", type: "select", options: states, value: states[1] || states[0] },
        { name: "allowed_roles", label: "Roles allowed", type: "checks", options: session.org.allowed_roles, value: [session.org.allowed_roles[0]] },
      ],
      onSubmit: (v) => post("/transitions/", { workflow: workflow.id, ...v }),
    });
    if (created) rerender("Rule created.");
  };
  return h("section", { class: "panel", id: "rules" },
    h("div", { class: "page-head" }, h("h2", { style: "margin:0" }, `Transition rules (${rules.length})`),
      may("manage_workflows") ? h("button", { type: "button", class: "primary", id: "new-rule", onclick: () => attempt(addRule) }, "New rule") : null),
    h("div", { class: "table-wrap" }, h("table", { class: "rules-table" },
      h("thead", {}, h("tr", {}, ["From", "To", "Roles allowed", ""].map((c) => h("th", {}, c)))),
      h("tbody", {}, rules.length ? rules.map(ruleRow) : h("tr", {}, h("td", { colspan: 4, class: "muted" }, "No rules: tasks cannot move."))))));
}

function ruleRow(r) {
  const remove = () => attempt(async () => {
    if (await confirmDialog({ title: `Delete rule ${r.from_state} → ${r.to_state}?`, confirmLabel: "Delete", danger: true })) {
      await del(`/transitions/${r.id}/`);
      rerender("Rule deleted.");
    }
  });
  return h("tr", { "data-rule": `${r.from_state}->${r.to_state}` },
    h("td", {}, r.from_state), h("td", {}, r.to_state),
    h("td", {}, r.allowed_roles.map((role) => badge(role, roleClass(role)))),
    h("td", {}, may("manage_workflows") ? h("button", { type: "button", class: "small danger", onclick: remove }, "Delete") : null));
}

/** Workflows with their rules loaded from /transitions/ (used by the rules page). */
export async function workflowsWithRules() {
  const workflows = await all("/workflows/");
  return Promise.all(workflows.map(async (w) => ({ ...w, transitions: await all(`/transitions/`, { workflow: w.id }) })));
}

