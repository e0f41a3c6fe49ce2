// Comments under a story. The story page is the same for every reader (cacheable), so this
// script fetches the comments region (cacheable too), and only when a reader starts writing a
// captcha challenge and a CSRF token of the reader's own: a page view makes no request that a
// cache cannot answer. Without JavaScript, the links and the plain form work on their own.
(function () {
  "use strict";

  function fetchText(url) {
    // "no-cache": the browser revalidates with the ETag every time (a 304 when nothing changed),
    // so a reader sees a newly approved comment at once; shared caches keep their max-age.
    return fetch(url, { credentials: "same-origin", cache: "no-cache", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      });
  }

  function fragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function withPartial(url) {
    var u = new URL(url, window.location.href);
    u.searchParams.set("partial", "1");
    return u.toString();
  }

  // --- the captcha: ALTCHA proof of work (find n with SHA-256(salt + n) = challenge) ---
  function hex(buffer) {
    var bytes = new Uint8Array(buffer), out = "";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  function solve(challenge) {
    var encoder = new TextEncoder();
    var n = 0, batch = 500;
    return new Promise(function (resolve, reject) {
      function step() {
        var tries = [];
        for (var i = 0; i < batch && n + i <= challenge.maxNumber; i++) {
          tries.push(crypto.subtle.digest("SHA-256", encoder.encode(challenge.salt + (n + i))));
        }
        Promise.all(tries).then(function (digests) {
          for (var j = 0; j < digests.length; j++) {
            if (hex(digests[j]) === challenge.challenge) {
              return resolve(btoa(JSON.stringify({
                algorithm: challenge.algorithm, challenge: challenge.challenge,
                number: n + j, salt: challenge.salt, signature: challenge.signature
              })));
            }
          }
          n += digests.length;
          if (n > challenge.maxNumber) return reject(new Error("unsolved"));
          setTimeout(step, 0);
        }, reject);
      }
      step();
    });
  }

  // crypto.subtle exists only in secure contexts (HTTPS, or localhost): on plain HTTP under a
  // public name the proof of work cannot run at all. The form then keeps the note it came with
  // (the comment will be reviewed by a moderator) rather than reporting a failure before the
  // reader has typed a word; the comment is sent without a solution and held for review.
  var canSolve = !!(window.isSecureContext && window.crypto && window.crypto.subtle);

  // The reader's own comments awaiting review, as the signed values the server gave for them,
  // per story. The region is the same for every reader; these are shown from /own.
  var OWN_KEY = "khabar-own-comments";

  function ownTokens(key) {
    try { return JSON.parse(window.localStorage.getItem(OWN_KEY) || "{}")[key] || []; }
    catch (e) { return []; }
  }

  function keepOwnTokens(key, tokens) {
    try {
      var all = JSON.parse(window.localStorage.getItem(OWN_KEY) || "{}");
      if (tokens.length) all[key] = tokens.slice(-20); else delete all[key];
      window.localStorage.setItem(OWN_KEY, JSON.stringify(all));
    } catch (e) { /* storage refused (private mode): the comment shows until the next load */ }
  }

  function localDigits(form, number) {
    var zero = (form.getAttribute("data-zero") || "0").charCodeAt(0);
    return String(number).replace(/[0-9]/g, function (d) { return String.fromCharCode(zero + Number(d)); });
  }

  function setupForm(form, region) {
    if (form.dataset.ready) return;
    form.dataset.ready = "1";
    var status = form.querySelector("[data-captcha-status]");
    var body = form.querySelector("textarea[name=body]");
    var counter = form.querySelector(".char-count");
    var parentInput = form.querySelector("input[name=parent]");
    var replying = form.querySelector("[data-replying-to]");
    var premoderated = form.querySelector("[data-moderation-note]");
    var ownKey = form.getAttribute("data-own-url");
    var home = document.createComment("comment-form");
    form.parentNode.insertBefore(home, form);
    var csrf = "", solution = null;

    function say(text) { if (status) status.textContent = text; }

    function prepare() {
      solution = fetch(form.getAttribute("data-challenge-url"), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (data) {
          csrf = data.csrf;
          // The first start time stays: a second comment is not "too fast".
          var started = form.querySelector("input[name=started]");
          if (!started.value) started.value = data.started;
          if (!canSolve) return "";
          say(form.getAttribute("data-msg-working"));
          if (premoderated) premoderated.hidden = false;
          return solve(data.challenge).then(function (payload) {
            form.querySelector("input[name=altcha]").value = payload;
            say(form.getAttribute("data-msg-done"));
            return payload;
          });
        })
        .catch(function () { say(form.getAttribute("data-msg-failed")); return ""; });
      return solution;
    }
    // The challenge is the reader's own and never cached: asked for when the reader first
    // focuses or types in the form (a reply link focuses it too), not on every page view, so
    // that readers who only read cost the server nothing a cache cannot answer. A submit that
    // comes before (a form filled by the browser) asks for it then.
    function start() {
      form.removeEventListener("focusin", start);
      form.removeEventListener("input", start);
      if (solution) return;
      // Said at once where the check will run: the note the form came with is for where it cannot.
      if (canSolve) say(form.getAttribute("data-msg-working"));
      prepare();
    }
    form.addEventListener("focusin", start);
    form.addEventListener("input", start);

    function updateCounter() {
      if (!body || !counter) return;
      var left = Number(body.getAttribute("data-max-length")) - body.value.length;
      counter.textContent = counter.getAttribute("data-template").replace("COUNT", localDigits(form, left));
      counter.classList.toggle("is-over", left < 0);
    }
    if (body) { body.addEventListener("input", updateCounter); updateCounter(); }

    function showError(message, errors) {
      var box = form.querySelector(".form-error");
      if (!box) {
        box = document.createElement("p");
        box.className = "form-error";
        box.setAttribute("role", "alert");
        form.insertBefore(box, form.firstChild);
      }
      box.textContent = message || "";
      form.querySelectorAll(".field-error.from-script").forEach(function (e) { e.remove(); });
      Object.keys(errors || {}).forEach(function (name) {
        var input = form.querySelector("[name=" + name + "]");
        if (!input || input.type === "hidden") return;
        var p = document.createElement("p");
        p.className = "field-error from-script";
        p.textContent = errors[name].join(" ");
        input.closest(".field").appendChild(p);
        input.setAttribute("aria-invalid", "true");
      });
    }

    function cancelReply() {
      parentInput.value = "";
      replying.hidden = true;
      home.parentNode.insertBefore(form, home.nextSibling);
    }

    form.khabarReply = function (link) {
      parentInput.value = link.getAttribute("data-reply-to");
      var text = fragment(form.querySelector("[data-replying-template]").innerHTML);
      text.querySelector("bdi").textContent = link.getAttribute("data-reply-name");
      var span = replying.querySelector("[data-replying-text]");
      span.textContent = "";
      span.appendChild(text);
      replying.hidden = false;
      link.closest("li").after(form);
      body.focus();
    };
    form.khabarCancel = function () { cancelReply(); body.focus(); };

    // After a reload: the reader's comments that still wait for a moderator, where they were
    // shown when sent (a reply under the comment it answers, if that is on the page).
    form.khabarShowOwn = function () {
      var tokens = ownTokens(ownKey);
      if (!tokens.length) return;
      var url = new URL(ownKey, window.location.href);
      tokens.forEach(function (token) { url.searchParams.append("sent", token); });
      fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (data) {
          // Approved ones are in the thread now, rejected ones are gone: forget both.
          keepOwnTokens(ownKey, data.pending.map(function (item) { return item.sent; }));
          data.pending.forEach(function (item) {
            if (document.getElementById("comment-" + item.id)) return;  // already on the page
            var parent = item.parent && region.querySelector("#comment-" + item.parent);
            if (parent) parent.after(fragment(item.html));
            else commentList().appendChild(fragment(item.html));
          });
        })
        .catch(function () { /* the tokens stay for the next visit */ });
    };

    function commentList() {
      var list = region.querySelector("[data-comment-list]");
      if (!list) {
        list = document.createElement("ol");
        list.className = "comment-list";
        list.setAttribute("data-comment-list", "");
        home.parentNode.insertBefore(list, form.nextSibling);
      }
      return list;
    }
    form.khabarHome = home;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      say(form.getAttribute("data-msg-sending"));
      (solution || prepare()).then(function () {
        return fetch(form.action, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch", Accept: "application/json" }
        });
      }).then(function (response) {
        return response.json().then(function (data) {
          // Over the site's request limit: said as the comment's own trouble.
          if (data.too_big) data.message = form.querySelector("[data-msg-too-long]").content.textContent;
          return { ok: response.ok, data: data };
        }, function () {
          // An answer, but not the site's JSON (a proxy's page): the connection is fine.
          var said = form.querySelector(response.status === 413 ? "[data-msg-too-long]" : "[data-msg-refused]");
          return { ok: false, data: { message: said.content.textContent, errors: {} } };
        });
      }).then(function (result) {
        button.disabled = false;
        if (!result.ok) {
          showError(result.data.message, result.data.errors);
          prepare();  // a used or expired challenge cannot be sent again
          return;
        }
        showError("", {});
        var note = document.createElement("p");
        note.className = "sent-note";
        note.setAttribute("role", "status");
        note.textContent = result.data.message;
        var item = fragment(result.data.html);
        if (parentInput.value) form.before(item); else commentList().appendChild(item);
        if (result.data.status === "pending" && result.data.sent) {
          keepOwnTokens(ownKey, ownTokens(ownKey).concat([result.data.sent]));
        }
        body.value = "";
        updateCounter();
        if (parentInput.value) cancelReply();
        form.parentNode.insertBefore(note, form);
        note.tabIndex = -1;
        note.focus();
        prepare();
      }).catch(function () {
        button.disabled = false;
        showError(form.getAttribute("data-msg-network"), {});
      });
    });
  }

  function setupRegion(region) {
    var form = region.querySelector(".comment-form");
    if (form) { setupForm(form, region); form.khabarShowOwn(); }
    if (region.dataset.bound) return;
    region.dataset.bound = "1";
    region.addEventListener("click", function (event) {
      var form = region.querySelector(".comment-form");
      var reply = event.target.closest("[data-reply-to]");
      if (reply && form && form.khabarReply) { event.preventDefault(); form.khabarReply(reply); return; }
      if (event.target.closest("[data-cancel-reply]") && form && form.khabarCancel) {
        event.preventDefault(); form.khabarCancel(); return;
      }
      var more = event.target.closest("[data-more-comments], [data-more-replies], [data-comments-load]");
      if (!more) return;
      event.preventDefault();
      fetchText(withPartial(more.href)).then(function (html) {
        var content = fragment(html);
        if (more.hasAttribute("data-comments-load")) {
          // Another order: the list changes, the form (and what the reader typed) stays.
          var form = region.querySelector(".comment-form");
          var fresh = content.querySelector(".comment-form");
          if (form && fresh) {
            if (form.querySelector("input[name=parent]").value) form.khabarCancel();
            fresh.replaceWith(form);
            form.before(form.khabarHome);
          }
          region.innerHTML = "";
          region.appendChild(content);
          setupRegion(region);
        } else if (more.hasAttribute("data-more-replies")) {
          var list = document.getElementById(more.getAttribute("data-more-replies"));
          var next = content.querySelector("[data-more-replies]");
          content.querySelectorAll("li.comment").forEach(function (li) { list.appendChild(li); });
          if (next) more.replaceWith(next); else more.remove();
        } else {
          var target = region.querySelector("[data-comment-list]");
          var items = content.querySelector("[data-comment-list]");
          var nextPage = content.querySelector("[data-more-comments]");
          if (items) Array.prototype.slice.call(items.children).forEach(function (li) { target.appendChild(li); });
          if (nextPage) more.replaceWith(nextPage); else more.remove();
        }
      }).catch(function () { window.location.href = more.href; });
    });
  }

  var region = document.querySelector("[data-comments-src]");
  if (region && window.fetch) {
    fetchText(withPartial(region.getAttribute("data-comments-src"))).then(function (html) {
      region.innerHTML = "";
      region.appendChild(fragment(html));
      setupRegion(region);
    }).catch(function () { /* the plain link stays */ });
  } else {
    var page = document.querySelector("section.comments");
    if (page && window.fetch) setupRegion(page);
  }
})();
