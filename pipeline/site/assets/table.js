// Sortable, filterable data tables. Without JavaScript every row shows and the filter form stays
// hidden; with it, select a column heading to sort, and filter by words, place, category,
// certainty and claimant. A query such as ?region=RU-BU fills a filter in (profiles link so).
"use strict";

function cellKey(cell) {
  const key = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
  const number = Number(key);
  return key === "" ? null : (Number.isNaN(number) ? key.toLowerCase() : number);
}

function compareKeys(a, b) {
  if (a === null || b === null) return a === b ? 0 : (a === null ? 1 : -1);
  if (typeof a === typeof b) return a < b ? -1 : (a > b ? 1 : 0);
  return typeof a === "number" ? -1 : 1;
}

function setUpTable(table) {
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const headings = Array.from(table.tHead.rows[0].cells);
  const form = document.querySelector('form[data-table="' + table.id + '"]');
  const count = form.querySelector("output");
  const words = form.querySelector('input[name="q"]');
  const menus = Array.from(form.querySelectorAll("select"));

  headings.forEach(function (heading, column) {
    const button = heading.querySelector("button");
    if (!button) return;
    button.addEventListener("click", function () {
      const ascending = heading.getAttribute("aria-sort") !== "ascending";
      headings.forEach(function (h) { h.removeAttribute("aria-sort"); });
      heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const sorted = rows.slice().sort(function (a, b) {
        const ka = cellKey(a.cells[column]), kb = cellKey(b.cells[column]);
        if (ka === null || kb === null) return compareKeys(ka, kb);
        return ascending ? compareKeys(ka, kb) : compareKeys(kb, ka);
      });
      sorted.forEach(function (row) { body.appendChild(row); });
    });
  });

  function apply() {
    const wanted = words.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    rows.forEach(function (row) {
      const text = row.textContent.toLowerCase();
      const match = wanted.every(function (word) { return text.includes(word); }) &&
        menus.every(function (menu) { return !menu.value || row.dataset[menu.name] === menu.value; });
      row.hidden = !match;
      if (match) shown += 1;
    });
    count.textContent = count.dataset.template.replace("{shown}", shown).replace("{total}", rows.length);
  }

  const query = new URLSearchParams(window.location.search);
  menus.forEach(function (menu) {
    const value = query.get(menu.name);
    if (value && Array.from(menu.options).some(function (o) { return o.value === value; })) menu.value = value;
  });
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
}

document.querySelectorAll("table.data").forEach(setUpTable);
