// A table from column definitions, so every list on every page has the same markup,
// the same empty state and the same phone layout (class `card-rows`: below 800 px each row
// becomes a card whose cells name themselves).

import { h } from "../dom.js";

/**
 * `columns`: [{label, cell: (row) => text or Node, class?}]; `rows`: the data. Returns the
 * table in its scrolling wrapper, or `empty` as a muted line when there are no rows.
 * `rowAttrs(row)` adds attributes to a row (ids for tests, classes).
 */
export function dataTable({ id, cls, columns, rows, empty = "Nothing here yet.", rowAttrs, panel = false }) {
  if (!rows.length) return h("p", { class: "muted" }, empty);
  return h("div", { class: panel ? "table-wrap panel" : "table-wrap", style: panel ? "padding:0" : null },
    h("table", { id, class: cls ? `card-rows ${cls}` : "card-rows" },
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { class: c.class }, c.label)))),
      h("tbody", {}, rows.map((row) => h("tr", rowAttrs ? rowAttrs(row) : {},
        columns.map((c) => h("td", { class: c.class, "data-label": c.label }, c.cell(row))))))));
}
