// Runs the static search engine (assets/search.js) of a built site under node, as the page does.
//
//   node run-engine.js <site folder>  < queries.json
//
// queries.json: [{"q": "...", "filters": {"kind": "guideline"}, "limit": 5}, ...]. Each query runs
// on a fresh engine (a cold cache, as a reader's first query), so `bytes` and `files` count what
// the page would download for it. Prints one JSON array: per query, the results as [url, page],
// the suggestion, the facet counts, and the bytes and files loaded.
"use strict";
const fs = require("fs"), vm = require("vm"), path = require("path");
const site = process.argv[2];
require(path.join(site, "assets/stemmer.js"));
const { createEngine } = require(path.join(site, "assets/search.js"));
const queries = JSON.parse(fs.readFileSync(0, "utf8"));
(async () => {
  const out = [];
  for (const q of queries) {
    let bytes = 0, files = 0;
    const engine = createEngine(p => new Promise(resolve => {
      const text = fs.readFileSync(path.join(site, p), "utf8");
      bytes += Buffer.byteLength(text);
      files += 1;
      vm.runInThisContext(text);
      resolve();
    }));
    const answer = await engine.search(q.q, q.filters || {}, q.limit || 5);
    out.push({
      results: answer.results.map(h => [h.url, h.page]),
      total: answer.total,
      suggestion: answer.suggestion || null,
      facets: answer.facets,
      bytes, files
    });
  }
  console.log(JSON.stringify(out));
})();
