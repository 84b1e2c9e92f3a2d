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

  // A table wider than the screen scrolls in the theme's wrapper: keyboard users reach it
  // with Tab, and a screen reader names it after the heading above it.
  function scrollable() {
    Array.prototype.forEach.call(document.querySelectorAll(".md-typeset__scrollwrap"), function (wrap) {
      if (wrap.hasAttribute("tabindex")) return;
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      var heading = null, node = wrap;
      while (node && !heading) {
        var prev = node.previousElementSibling;
        while (prev && !/^H[1-6]$/.test(prev.tagName)) prev = prev.previousElementSibling;
        heading = prev;
        node = node.parentElement;
      }
      wrap.setAttribute("aria-label", heading ? heading.textContent.replace(/¶$/, "").trim() + "(表格)" : "表格");
    });
  }

  function init() {
    scrollable();
    setTimeout(scrollable, 0);
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

/* The search in the header of every page: a button that opens a panel below the header with
   Pagefind's search box. Pagefind's scripts (120 KB) load the first time it is opened. */
(function () {
  "use strict";
  var self = document.currentScript;
  if (!self) return;
  var bundle = new URL("../../pagefind/", self.src);
  var loading = null;

  function load() {
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = new URL("pagefind-ui.css", bundle).href;
      document.head.appendChild(css);
      function script(name, next) {
        var s = document.createElement("script");
        s.src = new URL(name, bundle).href;
        s.onload = next;
        s.onerror = function () { reject(new Error(name)); };
        document.head.appendChild(s);
      }
      if (typeof PagefindUI !== "undefined" && window.xiaoanSearch) resolve();
      else if (typeof PagefindUI !== "undefined") script("search-ui.js", resolve);
      else script("pagefind-ui.js", function () { script("search-ui.js", resolve); });
    });
    return loading;
  }

  function setup() {
    var header = document.querySelector(".md-header__inner");
    if (!header || document.getElementById("xa-search-toggle")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.id = "xa-search-toggle";
    button.className = "md-header__button xa-search-toggle";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", "xa-search-panel");
    button.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" width="24" height="24"><path fill="currentColor" d="M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5z"/></svg><span>搜索</span>';
    var panel = document.createElement("div");
    panel.id = "xa-search-panel";
    panel.className = "xa-search-panel";
    panel.setAttribute("role", "search");
    panel.setAttribute("aria-label", "全站搜索");
    panel.hidden = true;
    var box = document.createElement("div");
    panel.appendChild(box);
    header.appendChild(button);
    document.querySelector(".md-header").appendChild(panel);
    function close() {
      panel.hidden = true;
      button.setAttribute("aria-expanded", "false");
    }
    button.addEventListener("click", function () {
      if (!panel.hidden) { close(); button.focus(); return; }
      panel.hidden = false;
      button.setAttribute("aria-expanded", "true");
      load().then(function () {
        return window.xiaoanSearch(box, "搜索全站");
      }).then(function () {
        var input = box.querySelector("input");
        if (input) input.focus();
      }, function () {
        box.textContent = "搜索暂不可用:找不到搜索索引(pagefind/)。";
      });
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { close(); button.focus(); }
    });
  }

  if (typeof document$ !== "undefined" && document$.subscribe) document$.subscribe(setup);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
