// Pagefind's search API over the shared index and the districts' parts, with the answers one
// index for everything would give. Pagefind's default UI imports it as <bundlePath>pagefind.js:
// generator/site/search.py copies this file to pagefind/merged/pagefind.js, and search-ui.js
// gives PagefindUI that folder as its bundlePath.
//
// Pagefind skips a query word that an index does not hold at all: 东城第二中学 is 东城, 第二 and
// 中学, and a part without 东城 would answer with its pages that have 第二 and 中学. So each
// index is tagged with a filter of its own (PART, hidden from the UI); for a query of several
// words, each word is first searched alone (the chunks it needs are the ones the query needs),
// and the query then runs only in the indexes that hold every word that the site holds.
//
// The filters (区县, 学段, 状态) load when the filter panel is first opened (loadFilters,
// called by search-ui.js), not when the UI starts: Pagefind's default UI asks for them at
// once, and their files were 132 KB of the 433 KB the first query downloaded at 20,000
// schools. Until then the UI gets the filters' names (the panel's headings) without values.
import * as pagefind from "../pagefind.js";

export { destroy, init } from "../pagefind.js";

const PART = "xa-part";
const SHARED = "shared";
const parts = [SHARED];
// The shared index's pages rank lower than a school or district that matches as well: each
// index scores with its own word statistics, and a word rare among a hundred hand-written
// pages scored them above the school whose name was typed.
const SHARED_WEIGHT = 0.5;

let filterNames = []; // from search-ui.js: parts.json's "filters"
let loaded = null; // every filter's values, once loadFilters was called

export function options({ filterNames: names = [], ...opts }) {
  filterNames = names;
  return pagefind.options({ ...opts, indexWeight: SHARED_WEIGHT, mergeFilter: { [PART]: SHARED } });
}

export function mergeIndex(path, opts = {}) {
  const name = path.replace(/\/$/, "").split("/").pop();
  parts.push(name);
  return pagefind.mergeIndex(path, { ...opts, mergeFilter: { [PART]: name } });
}

function hide(filters) {
  if (filters) delete filters[PART];
  return filters;
}

export async function filters() {
  if (loaded) return hide(await loaded);
  return Object.fromEntries(filterNames.map((name) => [name, {}]));
}

// Loads every filter's values: from then on each search answers with their counts.
export function loadFilters() {
  loaded = loaded || pagefind.filters();
  return loaded;
}

// The words Pagefind cuts a query into (it segments with Intl.Segmenter in the page's language).
function words(term) {
  if (typeof Intl.Segmenter === "undefined") return term.split(/\s+/).filter(Boolean);
  const lang = document.documentElement.lang || "zh";
  const segmenter = new Intl.Segmenter(lang, { granularity: "word" });
  return Array.from(segmenter.segment(term)).filter((s) => s.isWordLike).map((s) => s.segment);
}

// The indexes that hold every word of `term` held anywhere; null when there is no need to ask.
async function holding(term) {
  const list = term ? words(term) : [];
  if (list.length < 2 || /^\s*".+"\s*$/.test(term)) return null;
  const found = await Promise.all(list.map((word) => pagefind.search(word, {})));
  const counts = found.map((response) => response.filters[PART] || {});
  return parts.filter((part) => counts.every((count) => {
    const anywhere = Object.values(count).some((n) => n > 0);
    return !anywhere || count[part] > 0;
  }));
}

export async function search(term, opts = {}) {
  const only = await holding(term);
  if (only && !only.length) {
    return { results: [], unfilteredResultCount: 0, filters: {}, totalFilters: {}, timings: [] };
  }
  const filters = only ? { ...opts.filters, [PART]: { any: only } } : opts.filters;
  const response = await pagefind.search(term, { ...opts, filters });
  hide(response.filters);
  hide(response.totalFilters);
  return response;
}

export function preload(term, opts = {}) {
  return pagefind.preload(term, opts);
}
