// guidebook serve: reloads the page after each good rebuild, and shows build errors in an overlay
// on top of the last good page until they are fixed. Served by the server, never inline.
(function () {
  "use strict";
  var script = document.currentScript;
  var pageGeneration = script ? Number(script.getAttribute("data-generation")) : 0;
  var overlay = null;

  var link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = "/__guidebook/live.css";
  document.head.appendChild(link);

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function showErrors(errors) {
    hideErrors();
    if (!errors || !errors.length) return;
    overlay = el("div", "guidebook-overlay");
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-label", "Build errors");
    var box = el("div", "guidebook-overlay-box");
    box.appendChild(el("h2", null, errors.length === 1 ? "The last build failed: 1 problem" : "The last build failed: " + errors.length + " problems"));
    box.appendChild(el("p", "guidebook-overlay-note", "You are seeing the last good version of the site. Fix the files below; the page reloads by itself."));
    var list = el("ol", "guidebook-overlay-list");
    errors.forEach(function (e) {
      var item = el("li", "guidebook-overlay-item guidebook-" + e.severity);
      item.appendChild(el("code", "guidebook-overlay-where", e.file + ":" + e.line + ":" + e.column));
      item.appendChild(el("span", "guidebook-overlay-message", " " + e.message));
      if (e.help) item.appendChild(el("div", "guidebook-overlay-help", "help: " + e.help));
      list.appendChild(item);
    });
    box.appendChild(list);
    var close = el("button", "guidebook-overlay-close", "Hide");
    close.type = "button";
    close.addEventListener("click", hideErrors);
    box.appendChild(close);
    overlay.appendChild(box);
    document.body.appendChild(overlay);
  }

  function hideErrors() {
    if (overlay && overlay.parentNode) overlay.parentNode.removeChild(overlay);
    overlay = null;
  }

  function connect() {
    var source = new EventSource("/__guidebook/events?path=" + encodeURIComponent(location.pathname) +
      "&generation=" + pageGeneration);
    source.addEventListener("hello", function (event) {
      var state = JSON.parse(event.data);
      if (state.errors && state.errors.length) showErrors(state.errors);
      else if (state.stale) location.reload();
    });
    source.addEventListener("reload", function () { location.reload(); });
    source.addEventListener("errors", function (event) { showErrors(JSON.parse(event.data)); });
    source.onerror = function () {
      // The server restarted or went away: EventSource retries by itself.
    };
  }
  connect();
})();
