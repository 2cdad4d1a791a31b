// guidebook default theme: navigation tree, search loader, theme toggle, mobile sidebar. No dependencies.
(function () {
  "use strict";
  var body = document.body;
  var root = body.getAttribute("data-root") || "";
  var path = body.getAttribute("data-path") || "";

  // The sidebar's guidelines come as one script per domain (assets/nav/<domain>.js): a page
  // opens its own domain's, the others load when the reader opens them, so no page pays for
  // the whole tree. Without scripts, the sidebar keeps the domains the page itself lists.
  var navWaiting = {};
  window.guidebookNavPart = function (folder, entries) {
    var done = navWaiting[folder];
    delete navWaiting[folder];
    if (done) done(entries);
  };

  function setupNav() {
    var tree = document.getElementById("nav-tree");
    if (!tree) return;
    tree.querySelectorAll("li[data-part]").forEach(function (li) {
      var link = li.querySelector("a");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "nav-toggle";
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-label", "Guidelines of " + (link ? link.textContent : "this domain"));
      li.insertBefore(button, li.firstChild);
      button.addEventListener("click", function () { toggleDomain(li, button, false); });
      if (li.hasAttribute("data-current")) toggleDomain(li, button, true);
    });
  }

  function toggleDomain(li, button, reveal) {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var list = li.querySelector("ul");
    if (list) { list.hidden = !open; return; }
    if (!open || li.hasAttribute("data-loading")) return;
    li.setAttribute("data-loading", "");
    var src = li.getAttribute("data-part");
    var folder = src.replace(/^.*\//, "").replace(/\.js$/, "");
    navWaiting[folder] = function (entries) {
      li.removeAttribute("data-loading");
      var children = document.createElement("ul");
      entries.forEach(function (entry) { children.appendChild(navEntry(entry)); });
      children.hidden = button.getAttribute("aria-expanded") !== "true";
      li.appendChild(children);
      var current = children.querySelector('[aria-current="page"]');
      if (reveal && current && current.scrollIntoView) current.scrollIntoView({ block: "nearest" });
    };
    var script = document.createElement("script");
    script.src = src;
    script.onerror = function () {
      li.removeAttribute("data-loading");
      delete navWaiting[folder];
      button.setAttribute("aria-expanded", "false");
    };
    document.head.appendChild(script);
  }

  /** `[id, title]` or `[id, title, file stem]` (see `render::nav::part`). */
  function navEntry(entry) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    var url = "guidelines/" + (entry[2] || entry[0].toLowerCase()) + ".html";
    a.href = root + url;
    var id = document.createElement("span");
    id.className = "nav-id";
    id.textContent = entry[0];
    a.appendChild(id);
    a.appendChild(document.createTextNode(entry[1]));
    if (url === path) a.setAttribute("aria-current", "page");
    li.appendChild(a);
    return li;
  }

  // The search scripts load when the reader first reaches for the box (focus, a tap, or the
  // `/` key), so reading a page does not download them.
  function setupSearchLoader() {
    var input = document.getElementById("search-input");
    var src = body.getAttribute("data-search");
    if (!input || !src) return;
    var requested = false;
    function load() {
      if (requested) return;
      requested = true;
      src.split(" ").forEach(function (file) {
        var script = document.createElement("script");
        script.src = root + file;
        script.async = false;
        document.head.appendChild(script);
      });
    }
    input.addEventListener("focus", load);
    input.addEventListener("pointerdown", load);
    input.addEventListener("input", load);
    document.addEventListener("keydown", function (event) {
      var t = event.target;
      var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        input.focus();
        input.select();
      }
    });
  }

  function setupThemeToggle() {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    var html = document.documentElement;
    function label() {
      var dark = html.getAttribute("data-theme") === "dark";
      button.setAttribute("aria-label", dark ? "Switch to light theme" : "Switch to dark theme");
      button.setAttribute("aria-pressed", dark ? "true" : "false");
    }
    label();
    button.addEventListener("click", function () {
      var next = html.getAttribute("data-theme") === "dark" ? "light" : "dark";
      html.setAttribute("data-theme", next);
      try { localStorage.setItem("guidebook-theme", next); } catch (e) { /* storage disabled */ }
      label();
    });
  }

  function setupSidebarToggle() {
    var button = document.querySelector(".sidebar-toggle");
    if (!button) return;
    var backdrop = document.querySelector(".sidebar-backdrop");
    function show(open) {
      body.classList.toggle("sidebar-open", open);
      if (backdrop) backdrop.hidden = !open;
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.setAttribute("aria-label", open ? "Hide navigation" : "Show navigation");
    }
    button.addEventListener("click", function () {
      show(!body.classList.contains("sidebar-open"));
    });
    // A tap beside the open menu closes it.
    if (backdrop) backdrop.addEventListener("click", function () { show(false); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && body.classList.contains("sidebar-open")) {
        show(false);
        button.focus();
      }
    });
  }

  // The self-assessment: show the checks of one role (also from `?role=<id>`).
  function setupRoleFilter() {
    var form = document.querySelector(".role-filter");
    var select = document.getElementById("role-filter");
    if (!form || !select) return;
    var sections = document.querySelectorAll(".checked-guideline[data-roles]");
    var empty = document.querySelector(".filter-empty");
    function apply() {
      var role = select.value;
      var shown = 0;
      sections.forEach(function (section) {
        var roles = section.getAttribute("data-roles").split(" ");
        var show = !role || roles.indexOf(role) >= 0;
        section.hidden = !show;
        if (show) shown += 1;
      });
      document.querySelectorAll(".checked-domain").forEach(function (domain) {
        domain.hidden = !domain.querySelector(".checked-guideline:not([hidden])");
      });
      if (empty) empty.hidden = shown > 0;
      var url = new URL(window.location.href);
      if (role) url.searchParams.set("role", role); else url.searchParams.delete("role");
      try { window.history.replaceState(null, "", url); } catch (e) { /* file:// in some browsers */ }
    }
    var wanted = new URLSearchParams(window.location.search).get("role");
    if (wanted && select.querySelector('option[value="' + CSS.escape(wanted) + '"]')) {
      select.value = wanted;
    }
    form.hidden = false;
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    select.addEventListener("change", apply);
    apply();
  }

  // A copy button on each code block (the block's own text, without the button).
  function setupCopyButtons() {
    document.querySelectorAll("pre.code").forEach(function (pre) {
      var wrap = document.createElement("div");
      wrap.className = "code-wrap";
      pre.parentNode.insertBefore(wrap, pre);
      wrap.appendChild(pre);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button no-print";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy the code");
      wrap.appendChild(button);
      button.addEventListener("click", function () {
        var text = pre.textContent;
        var done = function (ok) {
          button.textContent = ok ? "Copied" : "Press Ctrl+C";
          setTimeout(function () { button.textContent = "Copy"; }, 2000);
        };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(function () { done(true); }, function () { select(pre); done(false); });
        } else {
          select(pre);
          done(false);
        }
      });
    });
    function select(element) {
      var range = document.createRange();
      range.selectNodeContents(element);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
  }

  setupNav();
  setupSearchLoader();
  setupCopyButtons();
  setupThemeToggle();
  setupSidebarToggle();
  setupRoleFilter();
})();
