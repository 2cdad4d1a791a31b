// guidebook default theme: navigation tree, theme toggle, mobile sidebar. No dependencies.
(function () {
  "use strict";
  var body = document.body;
  var root = body.getAttribute("data-root") || "";
  var path = body.getAttribute("data-path") || "";

  // The full navigation tree lives in one shared file (assets/nav.js), so pages stay small.
  function buildNav() {
    var tree = window.guidebookNav;
    var list = document.getElementById("nav-tree");
    if (!tree || !list) return;
    var fragment = document.createDocumentFragment();
    tree.forEach(function (domain) {
      var item = document.createElement("li");
      item.appendChild(navLink(domain));
      if (domain.c && domain.c.length) {
        var children = document.createElement("ul");
        domain.c.forEach(function (child) {
          var li = document.createElement("li");
          li.appendChild(navLink(child));
          children.appendChild(li);
        });
        item.appendChild(children);
      }
      fragment.appendChild(item);
    });
    list.textContent = "";
    list.appendChild(fragment);
    var current = list.querySelector('[aria-current="page"]');
    if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest" });
  }

  function navLink(node) {
    var a = document.createElement("a");
    a.href = root + node.u;
    var match = /^(\S+) (.*)$/.exec(node.t);
    if (node.c === undefined && match) {
      var id = document.createElement("span");
      id.className = "nav-id";
      id.textContent = match[1];
      a.appendChild(id);
      a.appendChild(document.createTextNode(match[2]));
    } else {
      a.textContent = node.t;
    }
    if (node.u === path) a.setAttribute("aria-current", "page");
    return a;
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

  buildNav();
  setupCopyButtons();
  setupThemeToggle();
  setupSidebarToggle();
  setupRoleFilter();
})();
