// The owner type-ahead: an <input data-owner-search="URL" list="ID"> gets the matching users the viewer may
// assign (the server decides who: core.records.owners) as <option>s of its datalist while one types. The
// value posted is a user name, so the form works the same without this script.
(function () {
  "use strict";
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-owner-search");
    var timer = null, asked = null;
    if (!list || !url) { return; }
    function fill(results) {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      results.forEach(function (person) {
        var option = document.createElement("option");
        option.value = person.username;       // text, never markup
        option.textContent = person.label;
        list.appendChild(option);
      });
    }
    function ask() {
      var q = input.value.trim();
      if (q === asked) { return; }
      asked = q;
      fetch(url + "?q=" + encodeURIComponent(q), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (body) { if (asked === q) { fill(body.results || []); } })
        .catch(function () { /* the plain field still works */ });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 150); });
    input.addEventListener("focus", ask);
  }
  document.querySelectorAll("input[data-owner-search]").forEach(attach);
})();
