// Transition rules of one workflow at a time: create and delete (admin).

import { h, mount } from "../dom.js";
import { pageHead } from "../components/page.js";
import { setQuery } from "../router.js";
import { rulesSection, workflowsWithRules } from "./workflows.js";

export async function transitionsPage(main, _params, q) {
  const workflows = await workflowsWithRules();
  if (!workflows.length) {
    mount(main, h("h1", {}, "Transition rules"), h("p", { class: "muted" }, "No workflows yet."));
    return;
  }
  const current = workflows.find((w) => w.id === q.workflow) || workflows.find((w) => w.is_default) || workflows[0];
  mount(main,
    pageHead("Transition rules",
      h("select", { "aria-label": "Workflow", id: "rules-workflow", onchange: (e) => setQuery({ workflow: e.target.value }) },
        workflows.map((w) => h("option", { value: w.id, selected: w.id === current.id }, w.name)))),
    h("p", { class: "muted" }, "A task moves only along these rules, and only for the roles they name. ", h("a", { href: `#/workflows/${current.id}` }, "See the diagram")),
    rulesSection(current));
}
