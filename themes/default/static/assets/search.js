// guidebook search: the search box, results as you type, filters and keyboard navigation.
//
// Served by `guidebook serve`, the page asks the server's /api/search (tantivy). On static hosting
// or from file://, it searches the client index in search/ with the small engine below, which
// follows the same rules as the tantivy side: identifiers kept whole, prose lowercased and
// stemmed (stemmer.js), BM25 weights with the same field boosts (precomputed at build time).
(function (global) {
  "use strict";

  // ---- The engine (no DOM: it also runs under node for tests) ----------------------------

  var TRIM = /^["',;?!]+|["',;?!]+$/g;
  var WORD = /[\p{L}\p{N}]+/gu;

  /** Identifier-like parts of a query, as `analysis::id_candidates` finds them. */
  function idCandidates(query) {
    var words = query.split(/\s+/).map(function (w) { return w.replace(TRIM, ""); })
      .filter(function (w) { return w.length > 0; });
    var out = [];
    function push(candidate) { if (out[out.length - 1] !== candidate) out.push(candidate); }
    words.forEach(function (word, i) {
      if (/[0-9]/.test(word) && /^[\p{L}\p{N}]/u.test(word)) push(word.toLowerCase());
      var next = words[i + 1];
      if (next && /^\p{L}+$/u.test(word) && /^[0-9]/.test(next)) {
        push(word.toLowerCase() + " " + next.toLowerCase());
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

  /**
   * An engine over the client index. `load(path)` runs the script at `path` (relative to the
   * site root) and resolves once it has run; the scripts call back into `guidebookSearch`.
   */
  function createEngine(load) {
    var manifest = null;
    var shards = {};
    var chunks = {};
    var pending = {};
    global.guidebookSearch = {
      manifest: function (m) { manifest = m; },
      shard: function (n, data) { shards[n] = data; },
      docs: function (n, rows) { chunks[n] = rows; }
    };

    function once(path) {
      if (!pending[path]) pending[path] = load(path);
      return pending[path];
    }

    function ready() {
      return once("search/manifest.js").then(function () {
        if (!manifest || manifest.format !== 1) throw new Error("search index missing or of another version");
        return manifest;
      });
    }

    function postings(key) {
      var n = fnv1a(key) % manifest.shards;
      return once("search/t" + n + ".js").then(function () {
        var list = (shards[n] && shards[n][key]) || [];
        var out = [];
        var doc = 0;
        for (var i = 0; i < list.length; i += 2) {
          doc += list[i];
          out.push([doc, list[i + 1]]);
        }
        return out;
      });
    }

    function rows(docs) {
      var needed = unique(docs.map(function (d) { return Math.floor(d / manifest.perChunk); }));
      return Promise.all(needed.map(function (n) { return once("search/d" + n + ".js"); }));
    }

    function row(d) {
      var chunk = chunks[Math.floor(d / manifest.perChunk)];
      return chunk && chunk[d % manifest.perChunk];
    }

    /** Ranked hits (one per page) for `query`, with optional facet `filters` {kind: "guideline"}. */
    function search(query, filters, limit) {
      query = (query || "").trim();
      limit = limit || 10;
      if (!query) return Promise.resolve({ query: query, total: 0, results: [] });
      return ready().then(function () {
        // As tantivy's query parser does, each word is one clause; a word that splits into
        // several terms ("SD-1", "security.txt") is a phrase, approximated here as "all of them".
        var groups = query.split(/\s+/).map(terms).filter(function (g) { return g.length > 0; });
        var queryTerms = unique([].concat.apply([], groups));
        var idKeys = idCandidates(query).map(function (c) { return "#" + c; });
        var filterKeys = Object.keys(filters || {}).filter(function (k) { return filters[k]; })
          .map(function (k) { return "@" + k + "/" + filters[k]; });
        return Promise.all([
          Promise.all(idKeys.concat(queryTerms).map(postings)),
          Promise.all(filterKeys.map(postings))
        ]).then(function (found) {
          var byKey = {};
          idKeys.concat(queryTerms).forEach(function (key, i) { byKey[key] = found[0][i]; });
          var scores = {};
          function add(list) {
            list.forEach(function (p) { scores[p[0]] = (scores[p[0]] || 0) + p[1] / manifest.scale; });
          }
          idKeys.forEach(function (key) { add(byKey[key]); });
          groups.forEach(function (group) {
            if (group.length === 1) { add(byKey[group[0]]); return; }
            var partial = {};
            var count = {};
            unique(group).forEach(function (term) {
              byKey[term].forEach(function (p) {
                partial[p[0]] = (partial[p[0]] || 0) + p[1];
                count[p[0]] = (count[p[0]] || 0) + 1;
              });
            });
            var needed = unique(group).length;
            add(Object.keys(partial).filter(function (d) { return count[d] === needed; })
              .map(function (d) { return [Number(d), partial[d]]; }));
          });
          var allowed = found[1].map(function (list) {
            var set = {};
            list.forEach(function (p) { set[p[0]] = true; });
            return set;
          });
          var ranked = Object.keys(scores).map(Number).filter(function (d) {
            return allowed.every(function (set) { return set[d]; });
          }).sort(function (a, b) { return scores[b] - scores[a] || a - b; });
          // Read metadata for a few candidates at a time: results are grouped by page, so a
          // batch may hold several sections of one page; stop once `limit` pages are found.
          var results = [];
          var seen = {};
          function take(from) {
            var batch = ranked.slice(from, from + limit * 2);
            if (!batch.length || results.length >= limit) {
              return Promise.resolve({ query: query, total: ranked.length, results: results });
            }
            return rows(batch).then(function () {
              batch.forEach(function (d) {
                var r = row(d);
                if (!r || results.length >= limit) return;
                var page = r[6] || r[0].split("#")[0];
                if (seen[page]) return;
                seen[page] = true;
                results.push({
                  url: r[0], page: page, kind: r[1], id: r[2] || null,
                  title: r[4] ? r[4] : r[3], section: r[4] ? r[3] : null,
                  score: scores[d], snippet: highlight(r[5], queryTerms)
                });
              });
              return from + batch.length < limit * 8 ? take(from + batch.length)
                : { query: query, total: ranked.length, results: results };
            });
          }
          return take(0);
        });
      });
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

  global.guidebookSearchEngine = { createEngine: createEngine, idCandidates: idCandidates, terms: terms, fnv1a: fnv1a };
  if (typeof module !== "undefined" && module.exports) module.exports = global.guidebookSearchEngine;
  if (typeof document === "undefined") return;

  // ---- The search box ---------------------------------------------------------------------

  var body = document.body;
  var root = body.getAttribute("data-root") || "";
  var limit = parseInt(body.getAttribute("data-search-limit") || "10", 10);
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
    return engine.search(query, filters, limit);
  }

  function apiSearch(query) {
    var params = ["q=" + encodeURIComponent(query), "limit=" + limit];
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
    active = -1;
    answer.results.forEach(function (hit, i) {
      var li = element("li", "search-result");
      li.id = "search-result-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var a = element("a");
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
    status.textContent = n === 0 ? "No results for \u201c" + answer.query + "\u201d"
      : n + (n === 1 ? " result" : " results") + (answer.total > n ? " (best " + n + " of " + answer.total + " matches)" : "");
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
    var values = facets ? {
      kind: Object.keys(facets.kind || {}), domain: Object.keys(facets.domain || {}), framework: Object.keys(facets.framework || {})
    } : (engine && engineManifest) || null;
    if (!values || !filterBox) return;
    filterBox.textContent = "";
    var chips = element("div", "search-kinds");
    chips.setAttribute("role", "group");
    chips.setAttribute("aria-label", "Filter by kind");
    [""].concat(values.kind || []).forEach(function (kind) {
      var b = element("button", "chip" + (filters.kind === kind ? " chip-on" : ""), kind ? (KIND_LABELS[kind] || kind) : "All");
      b.type = "button";
      b.setAttribute("aria-pressed", filters.kind === kind ? "true" : "false");
      if (facets && kind && facets.kind) b.textContent += " " + facets.kind[kind];
      b.addEventListener("click", function () { filters.kind = kind; refresh(); input.focus(); });
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
        select.appendChild(option(v, label, facets && facets[name] ? facets[name][v] : undefined));
      });
      select.value = filters[name];
      select.addEventListener("change", function () { filters[name] = select.value; refresh(); });
      filterBox.appendChild(select);
    });
  }

  var engineManifest = null;
  var labels = {};

  function refresh() {
    var query = input.value;
    var mine = ++generation;
    if (!query.trim()) { list.textContent = ""; status.textContent = ""; open(false); return; }
    run(query).then(function (answer) {
      if (mine !== generation) return;
      if (mode === "static" && engine && !engineManifest) {
        engine.ready().then(function (m) { engineManifest = m.facets; labels = m.labels || {}; renderFilters(null); });
      }
      render(answer);
    }, function () {
      if (mine !== generation) return;
      list.textContent = "";
      status.textContent = "Search is not available for this site.";
      open(true);
    });
  }

  function open(show) {
    panel.hidden = !show;
    input.setAttribute("aria-expanded", show ? "true" : "false");
  }

  function select(i) {
    var items = list.children;
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

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 120);
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
  document.addEventListener("keydown", function (event) {
    var t = event.target;
    var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
  document.addEventListener("click", function (event) {
    if (!panel.contains(event.target) && event.target !== input) open(false);
  });
})(typeof window !== "undefined" ? window : globalThis);
