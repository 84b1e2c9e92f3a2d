// Starts Pagefind's default search UI in the home page's <div id="search">.
// generator/site/search.py copies this file into the search bundle (site/pagefind/), next to
// pagefind-ui.js; the page loads both:
//   <script src="pagefind/pagefind-ui.js"></script> <script src="pagefind/search-ui.js"></script>
// Paths come from this script's own URL, so the site also works under a sub-path. Material's
// instant navigation runs the scripts again on each visit; a filled box is left alone.
(function () {
  var box = document.getElementById("search");
  var self = document.currentScript;
  if (!box || !self || typeof PagefindUI === "undefined" || box.childElementCount) return;
  var bundle = new URL(".", self.src);
  new PagefindUI({
    element: box,
    bundlePath: bundle.pathname,
    baseUrl: new URL("..", bundle).pathname,
    showSubResults: false,
    showImages: false,
    excerptLength: 24,
    translations: { placeholder: "搜索学校名称、区县、地址或问题类别" },
  });
})();
