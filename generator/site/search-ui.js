// Starts Pagefind's default search UI: in the home page's <div id="search">, and in the
// header's search panel of every page (assets/xiaoan/xiaoan.js loads this script when the
// panel is first opened, then calls window.xiaoanSearch(panel)).
// generator/site/search.py copies this file into the search bundle (site/pagefind/), next to
// pagefind-ui.js. Paths come from this script's own URL, so the site also works under a
// sub-path. Material's instant navigation runs the scripts again on each visit; a filled box
// is left alone.
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

  window.xiaoanSearch = function (box, label) {
    if (!box || box.childElementCount) return;
    new PagefindUI({
      element: box,
      bundlePath: bundle.pathname,
      baseUrl: new URL("..", bundle).pathname,
      showSubResults: false,
      showImages: false,
      excerptLength: 24,
      processResult: clean,
      translations: { placeholder: "搜索学校、区县、风险、隐患、演练或安全教育内容" },
    });
    var input = box.querySelector("input");
    if (input) input.setAttribute("aria-label", label || "搜索全站");
  };
  window.xiaoanSearch(document.getElementById("search"), "搜索学校");
})();
