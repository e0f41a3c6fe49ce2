// Keyboard moderation: j/k move between comments, x selects, a/r/s approve, reject or mark
// the current (or selected) comments as spam, e opens the editor. Plain form posts underneath.
(function () {
  "use strict";
  var form = document.querySelector("[data-queue]");
  if (!form) return;
  var items = Array.prototype.slice.call(form.querySelectorAll(".queue-item"));
  var current = -1;

  function focus(index) {
    if (!items.length) return;
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (item, i) { item.classList.toggle("is-current", i === current); });
    items[current].focus();
  }

  function act(action) {
    var selected = form.querySelectorAll("input[name=ids]:checked");
    if (!selected.length && current >= 0) {
      items[current].querySelector("input[name=ids]").checked = true;
    }
    form.querySelector("select[name=action]").value = action;
    form.submit();
  }

  // A per-comment button acts on that comment alone.
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) return;
    event.preventDefault();
    form.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = false; });
    current = items.indexOf(button.closest(".queue-item"));
    act(button.getAttribute("data-action"));
  });

  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" && event.target.type !== "checkbox" || tag === "textarea" || tag === "select") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    // event.code names the physical key, so the shortcuts work with an Arabic layout too.
    var key = { KeyJ: "j", KeyK: "k", KeyX: "x", KeyA: "a", KeyR: "r", KeyS: "s", KeyE: "e" }[event.code];
    if (key === "j") { focus(current + 1); }
    else if (key === "k") { focus(current - 1); }
    else if (key === "x" && current >= 0) {
      var box = items[current].querySelector("input[name=ids]");
      box.checked = !box.checked;
    }
    else if (key === "a") { act("approve"); }
    else if (key === "r") { act("reject"); }
    else if (key === "s") { act("spam"); }
    else if (key === "e" && current >= 0) { items[current].querySelector("[data-action=edit]").click(); }
    else { return; }
    event.preventDefault();
  });
})();
