// guidebook search: the search box, results as you type, filters and keyboard navigation.
//
// Served by `guidebook serve`, the page asks the server's /api/search (tantivy). On static hosting
// or from file://, it searches the client index in search/ with the small engine below. Both
// rank by the rules of `src/search/rank.rs` (read its header): the page weights in the index were
// computed by that code at build time, and this engine adds them up the same way, in integers,
// so it returns the same pages in the same order as the server.
(function (global) {
  "use strict";

  // ---- The engine (no DOM: it also runs under node for tests) ----------------------------

  var TRIM = /^["',;?!]+|["',;?!]+$/g;
  var WORD = /[\p{L}\p{N}]+/gu;
  var FUZZY_CANDIDATES = 3;
  var STOP_WORDS = ["a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "has",
    "have", "how", "i", "if", "in", "into", "is", "it", "its", "my", "of", "on", "or", "our",
    "should", "so", "that", "the", "their", "this", "to", "was", "we", "what", "when", "which",
    "who", "why", "with", "you"];

  /** The words of a query, as `analysis::query_words`. */
  function queryWords(query) {
    var out = [];
    var rest = query.replace(/^\s+/, "");
    while (rest.length) {
      var end = rest[0] === "\"" ? rest.indexOf("\"", 1) : -1;
      var word;
      if (end > 0) {
        word = rest.slice(1, end);
        rest = rest.slice(end + 1);
      } else {
        var space = rest.search(/\s/);
        if (space < 0) space = rest.length;
        word = rest.slice(0, space);
        rest = rest.slice(space);
      }
      out.push(word.replace(TRIM, ""));
      rest = rest.replace(/^\s+/, "");
    }
    return out.filter(function (w) { return w.length > 0; });
  }

  /** Lowercase, single spaces, as `analysis::normalize_id`. */
  function normalizeId(id) {
    return id.split(/\s+/).filter(function (w) { return w; }).join(" ").toLowerCase();
  }

  /** Identifier-like parts of a query, as `analysis::id_candidates`. */
  function idCandidates(query) {
    var words = queryWords(query);
    var out = [];
    words.forEach(function (word, i) {
      if (/[0-9]/.test(word) && /^[\p{L}\p{N}]/u.test(word)) out.push({ id: normalizeId(word), first: i, words: 1 });
      var next = words[i + 1];
      if (next && /^\p{L}+\.?$/u.test(word) && /^[0-9]/.test(next)) {
        out.push({ id: word.toLowerCase() + " " + next.toLowerCase(), first: i, words: 2 });
      }
    });
    return out;
  }

  function utf8Length(text) {
    return unescape(encodeURIComponent(text)).length;
  }

  /** tantivy's en_stem: alphanumeric runs, shorter than 40 bytes, lowercased, stemmed. */
  function terms(text) {
    var stem = global.guidebookStem;
    return (text.match(WORD) || [])
      .filter(function (t) { return utf8Length(t) < 40; })
      .map(function (t) { return stem(t.toLowerCase()); });
  }

  /** FNV-1a (32 bit) over UTF-8 bytes, as `client::shard_of`. */
  function fnv1a(key) {
    var bytes = unescape(encodeURIComponent(key));
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      hash ^= bytes.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash >>> 0;
  }

  function unique(list) {
    var seen = {};
    return list.filter(function (x) { return seen[x] ? false : (seen[x] = true); });
  }

  /** Edits a misspelt word may be from the word meant, as `rank::edit_budget`. */
  function editBudget(word) {
    if (!/^[a-z]+$/.test(word) || word.length < 4) return 0;
    return word.length >= 8 ? 2 : 1;
  }

  /** Optimal string alignment distance (adjacent swaps count one), as `strsim::osa_distance`. */
  function osa(a, b) {
    var rows = [];
    for (var i = 0; i <= a.length; i++) { rows.push([i]); }
    for (var j = 0; j <= b.length; j++) { rows[0][j] = j; }
    for (i = 1; i <= a.length; i++) {
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
        rows[i][j] = d;
      }
    }
    return rows[a.length][b.length];
  }

  /** The vocabulary words `word` may stand for, closest then commonest first, as `rank::fuzzy_candidates`. */
  function fuzzyCandidates(word, vocabulary) {
    var budget = editBudget(word);
    if (!budget) return [];
    var found = [];
    vocabulary.forEach(function (v, rank) {
      if (Math.abs(v.length - word.length) > budget || v === word) return;
      var edits = osa(word, v);
      if (edits <= budget) found.push([edits, rank, v]);
    });
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    return found.slice(0, FUZZY_CANDIDATES).map(function (c) { return { word: c[2], edits: c[0] }; });
  }

  /**
   * An engine over the client index. `load(path)` runs the script at `path` (relative to the
   * site root) and resolves once it has run; the scripts call back into `guidebookSearch`.
   */
  function createEngine(load) {
    var manifest = null;
    var shards = {};
    var chunks = {};
    var words = {};
    var facetLists = null;
    var pageFacets = null;
    var pending = {};
    global.guidebookSearch = {
      manifest: function (m) { manifest = m; },
      shard: function (n, data) { shards[n] = data; },
      docs: function (n, rows) { chunks[n] = rows; },
      facets: function (lists) { facetLists = lists; },
      words: function (letter, list) { words[letter] = list; }
    };

    function once(path) {
      if (!pending[path]) pending[path] = load(path);
      return pending[path];
    }

    function ready() {
      return once("search/manifest.js").then(function () {
        if (!manifest || manifest.format !== 3) throw new Error("search index missing or of another version");
        return manifest;
      });
    }

    /** [[page, weight, section], ...] of a key, in page order. */
    function postings(key) {
      // The key's shard (`client::shard_of`), or its part of a split shard (`client::part_of`).
      var hash = fnv1a(key);
      var n = String(hash % manifest.shards);
      var parts = manifest.split && manifest.split[n];
      if (parts) n += "-" + (Math.floor(hash / manifest.shards) % parts);
      return once("search/t" + n + ".js").then(function () {
        var list = (shards[n] && shards[n][key]) || [];
        var out = [];
        var page = 0;
        for (var i = 0; i < list.length; i += 3) {
          page += list[i];
          out.push({ page: page, weight: list[i + 1], section: list[i + 2] });
        }
        return out;
      });
    }

    function vocabulary(letter) {
      if ((manifest.words || "").indexOf(letter) < 0) return Promise.resolve([]);
      return once("search/w-" + letter + ".js").then(function () { return words[letter] || []; });
    }

    /** Page number -> its [name, value] facets, from search/f.js (runs of pages). */
    function facets() {
      return once("search/f.js").then(function () {
        if (pageFacets) return pageFacets;
        pageFacets = {};
        Object.keys(facetLists || {}).forEach(function (name) {
          Object.keys(facetLists[name]).forEach(function (value) {
            // [gap, length, ...] runs, each gap from the end of the previous run.
            var list = facetLists[name][value];
            var end = 0;
            for (var i = 0; i + 1 < list.length; i += 2) {
              var start = end + list[i];
              end = start + list[i + 1];
              for (var page = start; page < end; page++) (pageFacets[page] = pageFacets[page] || []).push([name, value]);
            }
          });
        });
        return pageFacets;
      });
    }

    function rows(pages) {
      var needed = unique(pages.map(function (p) { return Math.floor(p / manifest.perChunk); }));
      return Promise.all(needed.map(function (n) { return once("search/d" + n + ".js"); }));
    }

    function row(p) {
      var chunk = chunks[Math.floor(p / manifest.perChunk)];
      return chunk && chunk[p % manifest.perChunk];
    }

    /** The pages every list holds, one merged hit each, as `rank::all_of`. */
    function allOf(lists) {
      if (lists.length <= 1) return lists[0] || [];
      var merged = {};
      lists.forEach(function (list) {
        list.forEach(function (h) {
          var m = merged[h.page];
          if (!m) m = merged[h.page] = { count: 0, heaviest: 0, hit: { page: h.page, weight: 0, section: h.section } };
          m.count += 1;
          m.hit.weight += h.weight;
          if (h.weight > m.heaviest) { m.heaviest = h.weight; m.hit.section = h.section; }
        });
      });
      return Object.keys(merged).map(function (p) { return merged[p]; })
        .filter(function (m) { return m.count === lists.length; })
        .map(function (m) { return m.hit; });
    }

    /** The hits of an unknown word through the words it may be a typo of, as `rank::fuzzy`. */
    function fuzzy(word) {
      if (!editBudget(word)) return Promise.resolve({ hits: [], correction: null });
      return vocabulary(word[0]).then(function (list) {
        var candidates = fuzzyCandidates(word, list);
        return Promise.all(candidates.map(function (c) { return postings(terms(c.word)[0]); })).then(function (found) {
          var best = {};
          found.forEach(function (hits, i) {
            hits.forEach(function (h) {
              var weight = candidates[i].edits <= 1 ? Math.floor(h.weight / 2) : Math.floor(h.weight / 4);
              if (best[h.page] && best[h.page].weight >= weight) return;
              best[h.page] = { page: h.page, weight: weight, section: h.section };
            });
          });
          return {
            hits: Object.keys(best).map(function (p) { return best[p]; }),
            correction: candidates.length ? candidates[0].word : null
          };
        });
      });
    }

    /** Every page the query matches, best first, as `rank::rank`. */
    function rank(query) {
      var words = queryWords(query);
      var candidates = idCandidates(query);
      return Promise.all(candidates.map(function (c) { return postings("#" + c.id); })).then(function (idLists) {
        var taken = words.map(function () { return false; });
        var ids = [];
        var idHits = [];
        candidates.forEach(function (c, i) {
          if (ids.indexOf(c.id) >= 0 || !idLists[i].length) return;
          for (var w = c.first; w < c.first + c.words; w++) taken[w] = true;
          ids.push(c.id);
          idHits.push(idLists[i]);
        });
        var plan = [];
        words.forEach(function (word, i) {
          if (taken[i]) return;
          var stems = unique(terms(word));
          if (stems.length) plan.push({ text: word.toLowerCase(), stems: stems });
        });
        var telling = plan.filter(function (w) { return STOP_WORDS.indexOf(w.text) < 0; });
        if (ids.length || telling.length) plan = telling;
        return Promise.all(plan.map(function (w) {
          return Promise.all(w.stems.map(postings)).then(function (lists) {
            if (lists.length === 1 && !lists[0].length) {
              return fuzzy(w.text).then(function (f) { return { hits: f.hits, correction: f.correction, word: w.text }; });
            }
            return { hits: allOf(lists), correction: null };
          });
        })).then(function (perWord) {
          var pages = {};
          function add(hits) {
            hits.forEach(function (h) {
              var entry = pages[h.page];
              if (!entry) entry = pages[h.page] = { page: h.page, score: 0, best: 0, section: h.section, matched: 0 };
              entry.score += h.weight;
              entry.matched += 1;
              if (h.weight > entry.best) { entry.best = h.weight; entry.section = h.section; }
            });
          }
          idHits.forEach(add);
          var corrections = [];
          perWord.forEach(function (w) {
            add(w.hits);
            if (w.correction) corrections.push([w.word, w.correction]);
          });
          var parts = Math.max(ids.length + plan.length, 1);
          var ranked = Object.keys(pages).map(function (p) {
            var page = pages[p];
            page.score = Math.floor(page.score * page.matched * page.matched / (parts * parts));
            return page;
          });
          ranked.sort(function (a, b) { return b.score - a.score || a.page - b.page; });
          var stems = [].concat.apply([], plan.map(function (w) { return w.stems; }))
            .concat(corrections.map(function (c) { return terms(c[1])[0]; }));
          return { pages: ranked, corrections: corrections, stems: stems };
        });
      });
    }

    /** `query` with its corrected words replaced, as `Ranking::suggestion`. */
    function suggestion(query, corrections) {
      if (!corrections.length) return null;
      return queryWords(query).map(function (w) {
        var lower = w.toLowerCase();
        for (var i = 0; i < corrections.length; i++) if (corrections[i][0] === lower) return corrections[i][1];
        return w;
      }).join(" ");
    }

    /**
     * The best `limit` pages for `query` (each at its best section), with optional facet
     * `filters` ({kind: "guideline"}), the number of matching pages and per-facet page counts.
     */
    function search(query, filters, limit) {
      query = (query || "").trim();
      limit = limit || 10;
      var empty = { query: query, total: 0, results: [], facets: { kind: {}, domain: {}, framework: {} } };
      if (!query) return Promise.resolve(empty);
      return ready().then(function () {
        return Promise.all([rank(query), facets()]);
      }).then(function (both) {
        var ranking = both[0];
        var byPage = both[1];
        var wanted = Object.keys(filters || {}).filter(function (k) { return filters[k]; });
        var counts = { kind: {}, domain: {}, framework: {} };
        var kept = ranking.pages.filter(function (r) {
          var own = byPage[r.page] || [];
          var passes = wanted.every(function (k) {
            return own.some(function (f) { return f[0] === k && f[1] === filters[k]; });
          });
          if (passes) own.forEach(function (f) { counts[f[0]][f[1]] = (counts[f[0]][f[1]] || 0) + 1; });
          return passes;
        });
        var top = kept.slice(0, limit);
        return rows(top.map(function (r) { return r.page; })).then(function () {
          var answer = {
            query: query, total: kept.length, facets: counts,
            results: top.map(function (r) { return hit(r, ranking.stems); })
          };
          var suggested = suggestion(query, ranking.corrections);
          if (suggested) answer.suggestion = suggested;
          return answer;
        });
      });
    }

    function hit(ranked, stems) {
      var r = row(ranked.page) || ["", "page", "", "", []];
      var section = r[4][ranked.section] || ["", "", ""];
      return {
        url: section[0] ? r[0] + "#" + section[0] : r[0], page: r[0], kind: r[1], id: r[2] || null,
        title: r[3], section: section[1] || null,
        score: ranked.score / manifest.scale, snippet: highlight(section[2], stems)
      };
    }

    return { search: search, ready: ready };
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  /** The teaser, escaped, with words whose stem is a query term wrapped in <mark>. */
  function highlight(text, queryTerms) {
    var wanted = {};
    queryTerms.forEach(function (t) { wanted[t] = true; });
    var out = "";
    var at = 0;
    text.replace(WORD, function (word, offset) {
      if (wanted[global.guidebookStem(word.toLowerCase())]) {
        out += escapeHtml(text.slice(at, offset)) + "<mark>" + escapeHtml(word) + "</mark>";
        at = offset + word.length;
      }
      return word;
    });
    return out + escapeHtml(text.slice(at));
  }

  global.guidebookSearchEngine = { createEngine: createEngine, idCandidates: idCandidates, terms: terms, fnv1a: fnv1a, osa: osa };
  if (typeof module !== "undefined" && module.exports) module.exports = global.guidebookSearchEngine;
  if (typeof document === "undefined") return;

  // ---- The search box ---------------------------------------------------------------------

  var body = document.body;
  var root = body.getAttribute("data-root") || "";
  var limit = parseInt(body.getAttribute("data-search-limit") || "10", 10);
  // A screenful of results first; "More results" fetches the next ones (up to `limit`), so a
  // query downloads the metadata of the results a reader sees.
  var SCREEN = Math.min(8, limit);
  var shown = SCREEN;
  // A search starts once the typist pauses, or at once after a paste.
  var TYPING_PAUSE = 180;
  var PASTE_PAUSE = 30;
  var input = document.getElementById("search-input");
  var panel = document.getElementById("search-panel");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var filterBox = document.getElementById("search-filters");
  if (!input || !panel || !list) return;

  var KIND_LABELS = { guideline: "Guidelines", example: "Examples", control: "Controls", page: "Pages", domain: "Domains", framework: "Frameworks" };
  var filters = { kind: "", domain: "", framework: "" };
  var active = -1;
  var timer = null;
  var generation = 0;
  var mode = /^https?:$/.test(location.protocol) ? "probe" : "static";
  var engine = null;

  function loadScript(path) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = root + path;
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error("cannot load " + path)); };
      document.head.appendChild(script);
    });
  }

  function staticSearch(query) {
    if (!engine) engine = createEngine(loadScript);
    return engine.search(query, filters, shown);
  }

  function apiSearch(query) {
    var params = ["q=" + encodeURIComponent(query), "limit=" + shown];
    Object.keys(filters).forEach(function (k) { if (filters[k]) params.push(k + "=" + encodeURIComponent(filters[k])); });
    return fetch(root + "api/search?" + params.join("&"), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("no search API");
        return response.json();
      });
  }

  /** Uses the server's API when there is one, else (and from then on) the static index. */
  function run(query) {
    if (mode === "static") return staticSearch(query);
    return apiSearch(query).then(function (answer) { mode = "api"; return answer; }, function (err) {
      if (mode === "api") throw err;
      mode = "static";
      return staticSearch(query);
    });
  }

  function appendMarked(parent, html) {
    var mark = null;
    html.split(/(<mark>|<\/mark>)/).forEach(function (part) {
      if (part === "<mark>") { mark = document.createElement("mark"); parent.appendChild(mark); return; }
      if (part === "</mark>") { mark = null; return; }
      var text = part.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"")
        .replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, "&");
      (mark || parent).appendChild(document.createTextNode(text));
    });
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function render(answer) {
    list.textContent = "";
    list.setAttribute("data-query", answer.query);
    active = -1;
    answer.results.forEach(function (hit, i) {
      // The link is the option (an option may not hold a link: axe's nested-interactive).
      var li = element("li", "search-result");
      li.setAttribute("role", "none");
      var a = element("a");
      a.id = "search-result-" + i;
      a.setAttribute("role", "option");
      a.setAttribute("aria-selected", "false");
      a.href = root + hit.url;
      a.tabIndex = -1;
      var head = element("span", "search-result-head");
      // Guideline and control identifiers mean something to readers; example slugs do not.
      if (hit.id && (hit.kind === "guideline" || hit.kind === "control")) head.appendChild(element("span", "badge id", hit.id));
      head.appendChild(element("span", "search-result-title", hit.title));
      head.appendChild(element("span", "badge kind kind-" + hit.kind, hit.kind.replace("-", " ")));
      a.appendChild(head);
      if (hit.section) a.appendChild(element("span", "search-result-section", hit.section));
      var snippet = element("span", "search-result-snippet");
      appendMarked(snippet, hit.snippet || "");
      a.appendChild(snippet);
      li.appendChild(a);
      li.addEventListener("mousemove", function () { select(i); });
      list.appendChild(li);
    });
    var n = answer.results.length;
    more.hidden = !(answer.total > n && n < limit);
    status.textContent = n === 0 ? "No results for \u201c" + answer.query + "\u201d."
      : n + (n === 1 ? " page" : " pages") + (answer.total > n ? " (best " + n + " of " + answer.total + ")" : "");
    if (answer.suggestion) {
      status.appendChild(document.createTextNode(" Did you mean "));
      var fix = element("button", "search-suggestion", answer.suggestion);
      fix.type = "button";
      fix.addEventListener("click", function () { input.value = answer.suggestion; shown = SCREEN; refresh(); input.focus(); });
      status.appendChild(fix);
      status.appendChild(document.createTextNode("?"));
    }
    renderFilters(answer.facets);
    open(true);
  }

  function option(value, label, count) {
    var o = element("option", null, label + (count !== undefined ? " (" + count + ")" : ""));
    o.value = value;
    return o;
  }

  /** Kind chips and domain/framework selects, from the API's facet counts or the manifest. */
  function renderFilters(facets) {
    if (!facets || !filterBox) return;
    var values = {
      kind: Object.keys(facets.kind || {}), domain: Object.keys(facets.domain || {}), framework: Object.keys(facets.framework || {})
    };
    filterBox.textContent = "";
    var chips = element("div", "search-kinds");
    chips.setAttribute("role", "group");
    chips.setAttribute("aria-label", "Filter by kind");
    [""].concat(values.kind || []).forEach(function (kind) {
      var b = element("button", "chip" + (filters.kind === kind ? " chip-on" : ""), kind ? (KIND_LABELS[kind] || kind) : "All");
      b.type = "button";
      b.setAttribute("aria-pressed", filters.kind === kind ? "true" : "false");
      if (kind && facets.kind[kind] !== undefined) b.textContent += " " + facets.kind[kind];
      b.addEventListener("click", function () { filters.kind = kind; shown = SCREEN; refresh(); input.focus(); });
      chips.appendChild(b);
    });
    filterBox.appendChild(chips);
    ["domain", "framework"].forEach(function (name) {
      var options = values[name] || [];
      if (!options.length && !filters[name]) return;
      var select = element("select", "search-select");
      select.setAttribute("aria-label", "Filter by " + name);
      select.appendChild(option("", name === "domain" ? "All domains" : "All frameworks"));
      options.forEach(function (v) {
        var label = (labels[name] && labels[name][v]) || v;
        select.appendChild(option(v, label, facets[name] ? facets[name][v] : undefined));
      });
      select.value = filters[name];
      select.addEventListener("change", function () { filters[name] = select.value; shown = SCREEN; refresh(); });
      filterBox.appendChild(select);
    });
  }

  var more = element("button", "search-more", "More results");
  more.type = "button";
  more.hidden = true;
  list.parentNode.insertBefore(more, list.nextSibling);
  more.addEventListener("click", function () {
    var first = shown;
    shown = Math.min(shown + SCREEN, limit);
    refresh(function () {
      // Focus moves to the first new result (the button may be gone).
      var items = list.querySelectorAll("[role=option]");
      if (items[first]) { input.focus(); select(first); }
    });
  });

  var labels = {};
  var labelsLoaded = false;

  function refresh(then) {
    var query = input.value;
    var mine = ++generation;
    if (!query.trim()) { list.textContent = ""; status.textContent = ""; more.hidden = true; open(false); return; }
    run(query).then(function (answer) {
      if (mine !== generation) return;
      if (mode === "static" && engine && !labelsLoaded) {
        labelsLoaded = true;
        engine.ready().then(function (m) { labels = m.labels || {}; if (mine === generation) renderFilters(answer.facets); });
      }
      render(answer);
      if (then) then();
    }, function () {
      if (mine !== generation) return;
      list.textContent = "";
      more.hidden = true;
      status.textContent = "Search is not available for this site.";
      open(true);
    });
  }

  function open(show) {
    panel.hidden = !show;
    input.setAttribute("aria-expanded", show ? "true" : "false");
  }

  function select(i) {
    var items = list.querySelectorAll("[role=option]");
    if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
    active = i;
    if (items[i]) {
      items[i].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[i].id);
      if (items[i].scrollIntoView) items[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  input.addEventListener("input", function (event) {
    clearTimeout(timer);
    shown = SCREEN;
    // A paste (or a drop, a replacement, text inserted whole) is searched at once; keys,
    // deletions and an input method's composition wait for a pause.
    var kind = event.inputType || "";
    var pasted = /^insertFrom(Paste|Drop)|^insertReplacementText$/.test(kind) ||
      (kind === "insertText" && (event.data || "").length > 1);
    timer = setTimeout(refresh, pasted ? PASTE_PAUSE : TYPING_PAUSE);
  });
  input.addEventListener("focus", function () { if (input.value.trim() && list.children.length) open(true); });
  input.addEventListener("keydown", function (event) {
    var n = list.children.length;
    if (event.key === "ArrowDown" && n) { event.preventDefault(); select((active + 1) % n); }
    else if (event.key === "ArrowUp" && n) { event.preventDefault(); select((active - 1 + n) % n); }
    else if (event.key === "Enter") {
      var target = list.children[active >= 0 ? active : 0];
      if (target) { event.preventDefault(); location.href = target.querySelector("a").href; }
    } else if (event.key === "Escape") {
      if (!panel.hidden) { event.preventDefault(); open(false); } else { input.value = ""; input.blur(); }
    }
  });
  document.addEventListener("click", function (event) {
    if (!panel.contains(event.target) && event.target !== input) open(false);
  });
  // This script loads when the reader first reaches for the box (see guidebook.js), so a
  // query may already be waiting.
  if (input.value.trim()) refresh();
})(typeof window !== "undefined" ? window : globalThis);
