// Calendar enhancements: click an empty slot to create, drag an event to move it, drag its lower edge to
// resize it. Without JavaScript the "+" links and the edit form do the same.
(function () {
  "use strict";
  document.querySelectorAll("select[data-who]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });  // the button stays for no-JS
  });
  var root = document.querySelector("[data-calendar]");
  if (!root) { return; }
  var csrf = root.getAttribute("data-csrf");
  var dragging = null;

  root.addEventListener("click", function (ev) {
    var cell = ev.target.closest("[data-new-url]");
    if (cell && (ev.target === cell || ev.target.classList.contains("cal-day-head"))) {
      window.location.href = cell.getAttribute("data-new-url");
    }
  });

  root.addEventListener("dragstart", function (ev) {
    var item = ev.target.closest("[data-move-url]");
    if (!item) { return; }
    dragging = { item: item, mode: ev.target.hasAttribute("data-resize") ? "resize" : "move" };
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", item.getAttribute("data-move-url"));
    ev.stopPropagation();
  });

  root.addEventListener("dragend", function () {
    dragging = null;
    root.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  });

  root.addEventListener("dragover", function (ev) {
    var target = ev.target.closest("[data-drop]");
    if (dragging && target) {
      ev.preventDefault();
      root.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
      target.classList.add("drop-target");
    }
  });

  function addHour(slot) {
    // "2026-05-04T09:00" -> "2026-05-04T10:00" (23:00 ends at 23:59)
    var hour = parseInt(slot.slice(11, 13), 10);
    var next = hour >= 23 ? "23:59" : (hour + 1 < 10 ? "0" : "") + (hour + 1) + ":00";
    return slot.slice(0, 11) + next;
  }

  root.addEventListener("drop", function (ev) {
    var target = ev.target.closest("[data-drop]");
    if (!dragging || !target) { return; }
    ev.preventDefault();
    var item = dragging.item, mode = dragging.mode, value = target.getAttribute("data-drop");
    dragging = null;
    var body = new URLSearchParams();
    body.set("csrf_token", csrf);
    body.set("occurrence", item.getAttribute("data-occurrence") || "");
    if (mode === "resize") {
      if (value.indexOf("T") < 0) { return; }
      body.set("end", addHour(value));
    } else {
      body.set("start", value.indexOf("T") < 0 ? value + "T" + item.getAttribute("data-time") : value);
    }
    fetch(item.getAttribute("data-move-url"), {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (response) {
      if (response.ok) { window.location.reload(); return null; }
      return response.json().then(function (data) { window.alert(data.error || response.statusText); });
    }).catch(function (err) { window.alert(err); });
  });
})();
