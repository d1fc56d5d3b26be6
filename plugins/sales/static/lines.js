// The lines form works without this script (it always offers a few empty rows); with it, "Add a row" copies the
// last row with its fields emptied and renumbered (lines-3-quantity -> lines-4-quantity).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector("[data-add-line]");
  var body = document.querySelector("[data-lines] tbody");
  if (!button || !body) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var rows = body.querySelectorAll("[data-line-row]");
    var last = rows[rows.length - 1];
    var copy = last.cloneNode(true);
    var index = rows.length;
    copy.querySelectorAll("input, select").forEach(function (input) {
      input.name = input.name.replace(/^lines-\d+-/, "lines-" + index + "-");
      input.id = input.name;
      if (input.tagName === "SELECT") input.selectedIndex = 0; else input.value = "";
    });
    copy.querySelectorAll(".error").forEach(function (e) { e.remove(); });
    body.appendChild(copy);
  });
});
