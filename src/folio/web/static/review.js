// Editors for one extracted field in the review table. A scalar gets a text box; a list of
// objects with scalar sub-fields a small table (a row per item, a column per sub-field); any
// other list or object a JSON text area that is parsed before it is sent. Each editor has
// value(), which throws EditError when the input cannot be sent, showErrors(problem), which
// marks the inputs a 422 problem names (value[2].amount → row 3, column amount), and wide
// when it wants the row's full width.
import { h } from "./dom.js";

const STRUCTURED = ["list", "object"];
const NUMERIC = ["number", "money"];

export class EditError extends Error {}

export function fieldText(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function scalarEditor(name, field, onEnter) {
  const input = h("input", { name: `field-${name}`, value: fieldText(field.value), "aria-label": `Value of ${name}`,
    dataset: { field: name } });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      onEnter();
    }
  });
  return { node: input, value: () => input.value, showErrors: () => input.setAttribute("aria-invalid", "true") };
}

function jsonEditor(name, field, kind) {
  const text = JSON.stringify(field.value ?? (kind === "list" ? [] : {}), null, 2);
  const area = h("textarea", { name: `field-${name}`, rows: Math.min(12, text.split("\n").length + 1),
    "aria-label": `Value of ${name} (JSON ${kind === "list" ? "array" : "object"})`, class: "json-value", dataset: { field: name } }, text);
  const value = () => {
    let parsed;
    try {
      parsed = JSON.parse(area.value);
    } catch (err) {
      area.setAttribute("aria-invalid", "true");
      throw new EditError(`Not valid JSON: ${err.message}`);
    }
    const isList = Array.isArray(parsed);
    const isObject = parsed !== null && typeof parsed === "object" && !isList;
    if ((kind === "list" && !isList) || (kind === "object" && !isObject)) {
      area.setAttribute("aria-invalid", "true");
      throw new EditError(kind === "list" ? "A JSON array [ … ] is expected." : "A JSON object { … } is expected.");
    }
    area.removeAttribute("aria-invalid");
    return parsed;
  };
  return { node: area, value, showErrors: () => area.setAttribute("aria-invalid", "true"), wide: true };
}

function tableEditor(name, columns, items) {
  const body = h("tbody", {});
  const renumber = () => [...body.rows].forEach((row, index) => {
    for (const input of row.querySelectorAll("input")) input.setAttribute("aria-label", `${name} item ${index + 1}: ${input.dataset.column}`);
    row.querySelector("button").setAttribute("aria-label", `Remove item ${index + 1} of ${name}`);
  });
  const addRow = (item = {}) => {
    const row = h("tr", {}, columns.map((column) => h("td", {}, h("input", {
      value: fieldText(item[column.name]), inputmode: NUMERIC.includes(column.type) ? "decimal" : null,
      placeholder: column.type === "date" ? "YYYY-MM-DD" : null, dataset: { column: column.name } }))),
    h("td", {}, h("button", { type: "button", class: "secondary outline", onclick: () => { row.remove(); renumber(); } }, "Remove")));
    body.append(row);
    renumber();
    return row;
  };
  (items || []).forEach((item) => addRow(item));
  const add = h("button", { type: "button", class: "secondary outline", "aria-label": `Add an item to ${name}`,
    onclick: () => addRow().querySelector("input")?.focus() }, "Add item");
  const kept = () => [...body.rows].filter((row) => [...row.querySelectorAll("input")].some((input) => input.value.trim()));
  const value = () => {
    body.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
    // a row left empty is an item not wanted; a cell left empty is a missing sub-value
    return kept().map((row) => Object.fromEntries([...row.querySelectorAll("input")]
      .map((input) => [input.dataset.column, input.value.trim() || null])));
  };
  const showErrors = (problem) => {
    const rows = kept();
    for (const error of problem?.errors || []) {
      const found = /^value\[(\d+)\](?:\.(\w+))?/.exec(error.field || "");
      const row = found && rows[Number(found[1])];
      if (!row) continue;
      const inputs = [...row.querySelectorAll("input")];
      inputs.filter((input) => !found[2] || input.dataset.column === found[2])
        .forEach((input) => input.setAttribute("aria-invalid", "true"));
    }
  };
  const node = h("div", { class: "items-editor", dataset: { field: name } },
    h("table", { class: "items-table" },
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c.name)), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Remove")))),
      body),
    add);
  return { node, value, showErrors, wide: true };
}

function objectColumns(spec, field) {
  if (spec) {
    const scalar = spec.fields.every((sub) => !STRUCTURED.includes(sub.type));
    return spec.type === "list" && spec.fields.length && scalar ? spec.fields.map((s) => ({ name: s.name, type: s.type })) : null;
  }
  // the template is gone: a list whose items are flat objects still gets its table
  const items = Array.isArray(field.value) ? field.value : [];
  if (!items.length || !items.every((i) => i && typeof i === "object" && !Array.isArray(i))) return null;
  const names = [...new Set(items.flatMap((i) => Object.keys(i)))];
  const flat = items.every((i) => Object.values(i).every((v) => v === null || typeof v !== "object"));
  return flat ? names.map((n) => ({ name: n, type: "string" })) : null;
}

// spec: the field in the template version that made the extraction (null when unknown)
export function fieldEditor(name, field, spec, onEnter) {
  const kind = spec?.type || field.type;
  if (!STRUCTURED.includes(kind)) return scalarEditor(name, field, onEnter);
  const columns = objectColumns(spec, field);
  return columns ? tableEditor(name, columns, field.value) : jsonEditor(name, field, kind);
}
