// Core's page behaviours, kept out of the templates so the Content-Security-Policy can forbid inline script
// (core/security.py). Progressive enhancement only: every page works without JavaScript.
// data-auto-submit: a select that submits its form when changed.
// data-select-all: a checkbox that ticks every "ids" checkbox of its form (or of the page).
// data-print: a button that opens the browser's print dialog.
// data-select-on-click: a read-only field whose whole text is selected when clicked.
// select[data-probabilities]: the opportunity form's probability follows the stage's default.
document.addEventListener("change", function (ev) {
  var el = ev.target;
  if (el.matches("[data-auto-submit]") && el.form) { el.form.submit(); }
  if (el.matches("[data-select-all]")) {
    (el.form || document).querySelectorAll('input[name="ids"]').forEach(function (box) { box.checked = el.checked; });
  }
});
document.addEventListener("click", function (ev) {
  var el = ev.target;
  if (el.closest("[data-print]")) { window.print(); }
  if (el.matches("[data-select-on-click]")) { el.select(); }
});
(function () {
  var stage = document.querySelector("select[data-probabilities]");
  var probability = document.querySelector("input[name=probability]");
  if (!stage || !probability) { return; }
  var defaults = JSON.parse(stage.getAttribute("data-probabilities"));
  var previous = defaults[stage.value];
  stage.addEventListener("change", function () {
    // follow the stage's default unless the user typed their own figure
    if (probability.value === "" || String(previous) === probability.value) {
      probability.value = defaults[stage.value];
    }
    previous = defaults[stage.value];
  });
})();
