// Starts Pagefind's default search UI: in the home page's <div id="search">, and in the
// header's search panel of every page (assets/xiaoan/xiaoan.js loads this script when the
// panel is first opened, then calls window.xiaoanSearch(panel), which returns a promise).
// generator/site/search.py copies this file into the search bundle (site/pagefind/), next to
// pagefind-ui.js. The bundle is the shared index; the districts' parts, listed in
// parts.json, are merged into every search (Pagefind's mergeIndex, through
// merged/pagefind.js: search-merge.js beside this file). The filters' values load when a
// filter is first opened (search-merge.js says why); the search then runs again, so that
// the filter shows its counts. Paths come from this script's own URL, so the site also
// works under a sub-path. Material's instant navigation runs the scripts again on each
// visit; a box already started is left alone.
(function () {
  var self = document.currentScript;
  if (!self || typeof PagefindUI === "undefined") return;
  var bundle = new URL(".", self.src);
  var MARK = "\u3013"; // starts the name suffixes that only help matching (search.py KEYS_MARK)

  function escape(text) {
    return text.replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  // An excerpt never quotes the suffix padding: cut it there, and when the match was only
  // in the padding (a part of the name), show the start of the page's text instead.
  function clean(result) {
    var content = result.content || "";
    var end = content.indexOf(MARK);
    var text = end >= 0 ? content.slice(0, end) : content;
    var excerpt = (result.excerpt || "").split(MARK)[0];
    var plain = excerpt.replace(/<[^>]*>/g, "").trim();
    if (!plain || text.indexOf(plain.slice(0, 8)) < 0) {
      excerpt = escape(text.slice(0, 60)) + (text.length > 60 ? "…" : "");
    }
    result.excerpt = excerpt;
    return result;
  }

  // The parts' and the filters' names; revalidated on each load, since a publish may add
  // or remove a part.
  var listed = null;
  function loadListed() {
    var none = { parts: [], filters: [] };
    listed = listed || fetch(new URL("parts.json", bundle), { cache: "no-cache" })
      .then(function (response) { return response.ok ? response.json() : none; })
      .catch(function () { return none; });
    return listed;
  }

  // The first filter opened loads every filter's values, then the search runs again.
  function loadFiltersOnOpen(box, ui) {
    box.addEventListener("toggle", function opened(event) {
      var block = event.target;
      if (!block.open || !block.classList.contains("pagefind-ui__filter-block")) return;
      box.removeEventListener("toggle", opened, true);
      import(new URL("merged/pagefind.js", bundle).href)
        .then(function (merged) { return merged.loadFilters(); })
        .then(function () { ui.triggerFilters({}); });
    }, true); // toggle does not bubble
  }

  window.xiaoanSearch = function (box, label) {
    if (!box || box.hasAttribute("data-xa-search")) return Promise.resolve();
    box.setAttribute("data-xa-search", "");
    var base = new URL("..", bundle).pathname;
    return loadListed().then(function (names) {
      var ui = new PagefindUI({
        element: box,
        bundlePath: new URL("merged/", bundle).pathname, // search-merge.js, over ../pagefind.js
        baseUrl: base,
        mergeIndex: names.parts.map(function (name) {
          return { bundlePath: new URL("parts/" + name + "/", bundle).pathname, baseUrl: base };
        }),
        filterNames: names.filters, // passed on to search-merge.js's options()
        showSubResults: false,
        showImages: false,
        excerptLength: 24,
        processResult: clean,
        translations: { placeholder: "搜索学校、区县、风险、隐患、演练或安全教育内容" },
      });
      loadFiltersOnOpen(box, ui);
      var input = box.querySelector("input");
      if (input) input.setAttribute("aria-label", label || "搜索全站");
    });
  };
  window.xiaoanSearch(document.getElementById("search"), "搜索学校");
})();
