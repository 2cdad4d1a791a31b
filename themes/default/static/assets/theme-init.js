// Sets the colour theme before the page paints (loaded synchronously in <head>): the reader's
// stored choice, else the configured theme for their system preference.
(function () {
  var root = document.documentElement;
  var stored = null;
  try { stored = localStorage.getItem("guidebook-theme"); } catch (e) { /* storage disabled */ }
  var prefersDark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  var theme = stored === "light" || stored === "dark"
    ? stored
    : (prefersDark ? root.getAttribute("data-dark-theme") : root.getAttribute("data-default-theme"));
  root.setAttribute("data-theme", theme || "light");
})();
