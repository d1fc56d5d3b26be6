// Core's page behaviours, kept out of the templates so the Content-Security-Policy can forbid inline script
// (core/security.py). Progressive enhancement only: every page works without JavaScript.
// data-auto-submit: a select that submits its form when changed.
// data-select-all: a checkbox that ticks every "ids" checkbox of its form (or of the page).
// data-print: a button that opens the browser's print dialog.
// data-select-on-click: a read-only field whose whole text is selected when clicked.
// select[data-probabilities]: the opportunity form's probability follows the stage's default.
// input[data-owner-search]: the owner type-ahead (a list's reassign, the service list's, report's and calendar's
//   person): the users the viewer may assign whose name holds the text (core.records.owners); posts a user name.
// input[data-lookup-search]: a lookup field's type-ahead: while one types, its datalist offers the records the
//   viewer may read whose name holds the text (the server decides which: core.records.lookup_views). Each
//   suggestion is "Name · #id", which the server resolves as it resolves a typed exact name without this script.
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
// One type-ahead for both kinds: fills the input's datalist with what ``url`` answers for the typed text, each
// suggestion's value from ``valueOf`` (text, never markup) and, if given, its visible text from ``labelOf``.
function typeAhead(input, url, valueOf, labelOf, done) {
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null, asked = null;
  if (!list || !url) { return; }
  function fill(results) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    results.forEach(function (result) {
      var option = document.createElement("option");
      option.value = valueOf(result);
      if (labelOf) { option.textContent = labelOf(result); }
      list.appendChild(option);
    });
  }
  function ask() {
    var q = input.value.trim();
    if (q === asked || (done && done(q))) { return; }
    asked = q;
    fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q),
          {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {results: []}; })
      .then(function (body) { if (asked === q) { fill(body.results || []); } })
      .catch(function () { /* the plain field still works */ });
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 150); });
  input.addEventListener("focus", ask);
}
document.querySelectorAll("input[data-owner-search]").forEach(function (input) {
  typeAhead(input, input.getAttribute("data-owner-search"),
            function (person) { return person.username; }, function (person) { return person.label; });
});
document.querySelectorAll("input[data-lookup-search]").forEach(function (input) {
  typeAhead(input, input.getAttribute("data-lookup-search"), function (record) { return record.value; }, null,
            function (q) { return /#\d+$/.test(q); });  // a chosen suggestion: nothing more to offer
});
