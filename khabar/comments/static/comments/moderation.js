// Keyboard moderation: j/k move between comments, x selects, a/r/s approve, reject or mark
// the current (or selected) comments as spam, e opens the editor. The form posts on its own
// without JavaScript; with it, actions are sent in the background and the list is changed in
// place, so the moderator keeps their place: focus goes to the comment that comes next.
(function () {
  "use strict";
  var form = document.querySelector("[data-queue]");
  if (!form) return;
  var state = form.getAttribute("data-state");
  var status = document.querySelector("[data-queue-status]");
  var current = -1;

  function items() { return Array.prototype.slice.call(form.querySelectorAll(".queue-item")); }

  function focus(index) {
    var all = items();
    if (!all.length) {
      current = -1;
      var empty = form.querySelector("[data-queue-empty]");
      form.querySelector(".queue").hidden = true;
      empty.hidden = false;
      empty.focus();
      return;
    }
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (item, i) { item.classList.toggle("is-current", i === current); });
    all[current].focus();
  }

  function chosenIds() {
    var ids = Array.prototype.map.call(form.querySelectorAll("input[name=ids]:checked"),
                                       function (box) { return box.value; });
    if (!ids.length && current >= 0) ids = [items()[current].getAttribute("data-id")];
    return ids;
  }

  function submitPlainly(action, ids) {
    ids.forEach(function (id) {
      form.querySelector("input[name=ids][value='" + id + "']").checked = true;
    });
    form.querySelector("select[name=action]").value = action;
    form.submit();
  }

  function act(action, ids) {
    if (!action || !ids.length) return;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    data.append("action", action);
    ids.forEach(function (id) { data.append("ids", id); });
    fetch(window.location.href, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok && response.status !== 400) throw new Error(String(response.status));
      return response.json();
    }).then(function (result) {
      var place = current;
      Object.keys(result.statuses || {}).forEach(function (id) {
        var item = form.querySelector(".queue-item[data-id='" + id + "']");
        if (!item) return;
        // A comment whose state changed leaves this tab; the others stay, unselected.
        if (result.statuses[id] !== state) item.remove();
        else item.querySelector("input[name=ids]").checked = false;
      });
      Object.keys(result.counts || {}).forEach(function (name) {
        var count = document.querySelector(".tab-count[data-count='" + name + "']");
        if (count) count.textContent = result.counts[name];
      });
      status.textContent = result.message;
      // The comment that took the acted-on one's place is the next one to read.
      focus(place < 0 ? 0 : place);
    }).catch(function () { submitPlainly(action, ids); });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) return;
    // A per-comment button acts on that comment alone.
    event.preventDefault();
    current = items().indexOf(button.closest(".queue-item"));
    act(button.getAttribute("data-action"), [button.closest(".queue-item").getAttribute("data-id")]);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    act(form.querySelector("select[name=action]").value, chosenIds());
  });

  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" && event.target.type !== "checkbox" || tag === "textarea" || tag === "select") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    // event.code names the physical key, so the shortcuts work with an Arabic layout too.
    var key = { KeyJ: "j", KeyK: "k", KeyX: "x", KeyA: "a", KeyR: "r", KeyS: "s", KeyE: "e" }[event.code];
    var all = items();
    if (key === "j") { focus(current + 1); }
    else if (key === "k") { focus(current - 1); }
    else if (key === "x" && current >= 0) {
      var box = all[current].querySelector("input[name=ids]");
      box.checked = !box.checked;
    }
    else if (key === "a") { act("approve", chosenIds()); }
    else if (key === "r") { act("reject", chosenIds()); }
    else if (key === "s") { act("spam", chosenIds()); }
    else if (key === "e" && current >= 0) { all[current].querySelector("[data-action=edit]").click(); }
    else { return; }
    event.preventDefault();
  });
})();
