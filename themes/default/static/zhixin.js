// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("click", function (ev) {
  var toggle = ev.target.closest("[data-toggle-menu]");
  if (toggle) {
    var open = document.body.classList.toggle("menu-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }
});
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  var message = form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { ev.preventDefault(); }
});
// The side menu's sections (<details data-group>) remember being folded; the current page's section stays open.
(function () {
  var key = "zhixin.menu.folded";
  var folded = {};
  try { folded = JSON.parse(window.localStorage.getItem(key) || "{}"); } catch (e) { folded = {}; }
  document.querySelectorAll("details.menu-group[data-group]").forEach(function (section) {
    var name = section.getAttribute("data-group");
    if (folded[name] && !section.querySelector("[aria-current]")) { section.open = false; }
    section.addEventListener("toggle", function () {
      if (section.open) { delete folded[name]; } else { folded[name] = true; }
      try { window.localStorage.setItem(key, JSON.stringify(folded)); } catch (e) { /* private mode */ }
    });
  });
})();
