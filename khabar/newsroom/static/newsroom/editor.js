// The story editor: a small rich-text editor of our own that writes exactly the HTML the
// server keeps (p, h2, h3, strong, em, a, blockquote, ul, ol, li), paste cleaning, word count,
// headline hint, autosave with presence, and keyboard shortcuts. Without JavaScript the plain
// textarea posts the same form.
(function () {
  "use strict";
  var form = document.getElementById("story-form");
  if (!form) return;
  var textarea = form.querySelector("[data-body-source]");
  var editor = form.querySelector("[data-editor]");
  var toolbar = form.querySelector(".nr-toolbar");
  var headline = form.querySelector("[data-headline]");

  var ALLOWED = { P: 1, H2: 1, H3: 1, STRONG: 1, EM: 1, A: 1, BLOCKQUOTE: 1, UL: 1, OL: 1, LI: 1,
                  FIGURE: 1, IMG: 1, FIGCAPTION: 1 };
  var BLOCKS = { P: 1, H2: 1, H3: 1, BLOCKQUOTE: 1, UL: 1, OL: 1, FIGURE: 1 };
  var RENAME = { B: "STRONG", I: "EM", H1: "H2", H4: "H3", H5: "H3", H6: "H3", DIV: "P" };
  var DROP = { SCRIPT: 1, STYLE: 1, TEMPLATE: 1, IFRAME: 1, OBJECT: 1, SVG: 1, MATH: 1, META: 1, LINK: 1, TITLE: 1 };

  // Rebuild a fragment from scratch with the allowed elements only: everything a word
  // processor adds (classes, styles, spans, fonts) falls away, text stays.
  function clean(source, target) {
    Array.prototype.forEach.call(source.childNodes, function (node) {
      if (node.nodeType === 3) { target.appendChild(document.createTextNode(node.nodeValue)); return; }
      if (node.nodeType !== 1 || DROP[node.nodeName]) return;
      var name = RENAME[node.nodeName] || node.nodeName;
      if (name === "SPAN" && /font-weight:\s*(bold|[6-9]00)/.test(node.getAttribute("style") || "")) name = "STRONG";
      if (!ALLOWED[name]) { clean(node, target); return; }
      var element = document.createElement(name);
      if (name === "A") {
        var href = node.getAttribute("href") || "";
        if (!/^(https?:|mailto:)/i.test(href.trim())) { clean(node, target); return; }
        element.setAttribute("href", href.trim());
      }
      if (name === "IMG") {
        var src = (node.getAttribute("src") || "").trim();
        if (!/^(https?:\/\/|\/)/i.test(src)) return;  // no data: or javascript: images
        element.setAttribute("src", src);
        element.setAttribute("alt", node.getAttribute("alt") || "");
        target.appendChild(element);
        return;
      }
      clean(node, element);
      target.appendChild(element);
    });
    return target;
  }

  function sanitize(html) {
    var doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    return clean(doc.body, document.createDocumentFragment());
  }

  // Text and inline elements left at the top level (after a paste, or typed beside a figure)
  // go into paragraphs, as the server would put them.
  function wrapLoose(fragment) {
    var out = document.createDocumentFragment(), paragraph = null;
    Array.prototype.slice.call(fragment.childNodes).forEach(function (node) {
      if (node.nodeType === 1 && BLOCKS[node.nodeName]) { paragraph = null; out.appendChild(node); return; }
      if (node.nodeType === 3 && !node.nodeValue.trim() && !paragraph) return;
      if (!paragraph) { paragraph = document.createElement("p"); out.appendChild(paragraph); }
      paragraph.appendChild(node);
    });
    return out;
  }

  function serialize() {
    var box = document.createElement("div");
    box.appendChild(wrapLoose(clean(editor, document.createDocumentFragment())));
    return box.innerHTML.replace(/<p><\/p>/g, "");
  }

  function textToParagraphs(text) {
    var fragment = document.createDocumentFragment();
    var blocks = /\n\s*\n/.test(text) ? text.split(/\n\s*\n/) : text.split("\n");
    blocks.forEach(function (block) {
      block = block.replace(/\s*\n\s*/g, " ").trim();
      if (!block) return;
      var p = document.createElement("p");
      p.textContent = block;
      fragment.appendChild(p);
    });
    return fragment;
  }

  function setBody(html) {
    editor.textContent = "";
    editor.appendChild(/<[a-z]/i.test(html) ? sanitize(html) : textToParagraphs(html));
    if (!editor.firstChild) editor.appendChild(document.createElement("p"));
    sync();
  }

  var wordCount = form.querySelector("[data-word-count]");
  var headlineHint = form.querySelector("[data-headline-hint]");
  function sync() {
    textarea.value = serialize();
    var words = (editor.innerText.match(/\S+/g) || []).length;
    wordCount.textContent = wordCount.getAttribute("data-template").replace("COUNT", words);
    dirty = true;
  }
  function hintHeadline() {
    var length = headline.value.length;
    headlineHint.textContent = headlineHint.getAttribute("data-template").replace("COUNT", length);
    headlineHint.classList.toggle("is-long", length > 90);
  }

  // Switch the plain textarea for the editor.
  var dirty = false;
  var readOnly = form.hasAttribute("data-readonly");
  textarea.hidden = true;
  editor.hidden = false;
  toolbar.hidden = readOnly;
  if (readOnly) editor.setAttribute("contenteditable", "false");
  document.execCommand("defaultParagraphSeparator", false, "p");
  setBody(textarea.value);
  dirty = false;
  editor.addEventListener("input", sync);
  headline.addEventListener("input", function () { hintHeadline(); dirty = true; });
  hintHeadline();
  form.querySelectorAll("input, textarea, select").forEach(function (field) {
    field.addEventListener("input", function () { dirty = true; });
  });

  editor.addEventListener("paste", function (event) {
    event.preventDefault();
    var data = event.clipboardData;
    var html = data.getData("text/html");
    var fragment = html ? sanitize(html) : textToParagraphs(data.getData("text/plain"));
    var box = document.createElement("div");
    box.appendChild(fragment);
    document.execCommand("insertHTML", false, box.innerHTML);
    sync();
  });

  toolbar.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    editor.focus();
    if (button.hasAttribute("data-command")) {
      document.execCommand(button.getAttribute("data-command"), false, null);
    } else if (button.hasAttribute("data-block")) {
      document.execCommand("formatBlock", false, "<" + button.getAttribute("data-block") + ">");
    } else if (button.hasAttribute("data-link")) {
      var url = window.prompt(button.getAttribute("data-prompt"), "https://");
      if (url && /^(https?:\/\/|mailto:)/i.test(url.trim())) document.execCommand("createLink", false, url.trim());
    }
    sync();
  });

  form.addEventListener("submit", function (event) {
    textarea.value = serialize();
    // A preview opens elsewhere and saves nothing: what is unsaved stays to be autosaved.
    if (!(event.submitter && event.submitter.hasAttribute("formtarget"))) dirty = false;
  });

  // Ctrl+S saves, Ctrl+Enter submits for review (or saves when there is no such button).
  document.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey)) return;
    // event.code: the physical key, whatever the keyboard layout (Arabic س is KeyS).
    var key = event.code === "Enter" || event.code === "NumpadEnter" ? "Enter"
      : event.code === "KeyS" ? "s" : "";
    var button = form.querySelector('button[data-shortcut="' + key + '"]');
    if (!button) return;
    event.preventDefault();
    textarea.value = serialize();
    form.requestSubmit(button);
  });

  // Tag autocomplete: suggestions for the tag being typed after the last comma, offered as the
  // whole field's value so that choosing one keeps the tags before it.
  var tags = form.querySelector("[data-tags]");
  var suggestions = document.getElementById("tag-suggestions");
  var tagTimer = null;
  tags.addEventListener("input", function () {
    clearTimeout(tagTimer);
    tagTimer = setTimeout(function () {
      var parts = tags.value.split(/[,،]/);
      var typed = parts.pop().trim();
      if (!typed) return;
      var before = parts.map(function (p) { return p.trim(); }).filter(Boolean);
      fetch(tags.getAttribute("data-suggest-url") + "&q=" + encodeURIComponent(typed), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          suggestions.textContent = "";
          data.tags.forEach(function (name) {
            var option = document.createElement("option");
            option.value = before.concat([name]).join("، ");
            suggestions.appendChild(option);
          });
        })
        .catch(function () {});
    }, 150);
  });

  // Bring back text that was kept automatically but never saved.
  var restore = document.querySelector("[data-restore-autosave]");
  if (restore) {
    restore.addEventListener("click", function () {
      var data = JSON.parse(document.getElementById("autosave-data").textContent);
      // The revision the kept text was written on: if someone saved since, saving it shows
      // the differences instead of overwriting their work.
      form.querySelector("[name=base_revision]").value = data.base_revision;
      headline.value = data.headline;
      form.querySelector("[name=lead]").value = data.lead;
      setBody(data.body);
      hintHeadline();
      restore.closest("[data-autosave-offer]").remove();
    });
  }

  // Autosave every 15 seconds while something changed; it also tells who else is editing.
  var url = readOnly ? "" : form.getAttribute("data-autosave-url");
  var presence = document.querySelector("[data-presence]");
  function autosave(force) {
    if (!url || (!dirty && !force)) return;
    var body = new FormData();
    ["csrfmiddlewaretoken", "base_revision", "headline", "lead"].forEach(function (name) {
      body.append(name, form.querySelector("[name=" + name + "]").value);
    });
    body.append("body", serialize());
    dirty = false;
    fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.ok) return;
        var parts = [form.getAttribute("data-msg-saved").replace("TIME", data.saved_at)];
        if (data.editors.length) {
          parts.push(form.getAttribute("data-msg-editing").replace("NAMES",
            data.editors.map(function (e) { return e.name + " (" + e.since + ")"; }).join("، ")));
        }
        if (data.stale) parts.push(form.getAttribute("data-msg-stale"));
        presence.textContent = parts.join(" ");
        presence.hidden = false;
      })
      .catch(function () { dirty = true; });
  }
  setInterval(autosave, 15000);
  setTimeout(function () { autosave(true); }, 1000);  // announce presence at once
  window.addEventListener("beforeunload", function () { autosave(); });
})();
