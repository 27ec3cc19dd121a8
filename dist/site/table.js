// Sortable, filterable data tables: click a column heading to sort, type to filter.
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
  const filter = document.querySelector('input[data-filter="' + table.id + '"]');
  const count = document.querySelector('output[data-count="' + table.id + '"]');

  headings.forEach(function (heading, column) {
    heading.querySelector("button").addEventListener("click", function () {
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

  filter.addEventListener("input", function () {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    rows.forEach(function (row) {
      const text = row.textContent.toLowerCase();
      const match = words.every(function (word) { return text.includes(word); });
      row.hidden = !match;
      if (match) shown += 1;
    });
    count.textContent = shown + " of " + rows.length + " rows";
  });
}

document.querySelectorAll("table.data").forEach(setUpTable);
