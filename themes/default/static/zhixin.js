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
