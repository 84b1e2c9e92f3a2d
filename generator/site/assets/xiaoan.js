/* 校安档案: sortable and filterable tables. The tables work without it (all rows, worst
   status first); with it, a click on a column heading sorts, and the district page's form
   filters by name, status and stage. Runs again after material's instant navigation. */
(function () {
  "use strict";
  var collator = new Intl.Collator("zh-CN", { numeric: true });

  function cellValue(row, index, kind) {
    var cell = row.cells[index];
    var text = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
    return kind === "number" ? parseFloat(text) || 0 : text;
  }

  function sortBy(table, index, kind, heading) {
    var ascending = heading.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (th.hasAttribute("data-sort")) th.setAttribute("aria-sort", "none");
    });
    heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
      var order = kind === "number" ? x - y : collator.compare(x, y);
      return ascending ? order : -order;
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    body.appendChild(fragment);
  }

  function sortable(table) {
    if (table.getAttribute("data-xa-ready")) return;
    table.setAttribute("data-xa-ready", "1");
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "xa-sort";
      button.title = "点击排序";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () { sortBy(table, index, kind, th); });
    });
  }

  function filterable(form) {
    var table = document.querySelector("#" + form.getAttribute("data-xa-filter") + " table");
    if (!table || form.getAttribute("data-xa-ready")) return;
    form.setAttribute("data-xa-ready", "1");
    form.hidden = false;
    var fields = form.elements;
    function apply() {
      var query = fields.q.value.trim().toLowerCase();
      var status = fields.status.value, stage = fields.stage.value;
      var rows = table.tBodies[0].rows, shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i];
        var match = (!query || row.cells[0].textContent.toLowerCase().indexOf(query) >= 0)
          && (!status || row.getAttribute("data-status") === status)
          && (!stage || row.getAttribute("data-stage") === stage);
        row.hidden = !match;
        if (match) shown++;
      }
      fields.shown.value = "显示 " + shown + " / " + rows.length + " 所";
    }
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".xa-sortable table"), sortable);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-xa-filter]"), filterable);
  }

  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
