// The story editor: a small rich-text editor of our own that writes exactly the HTML the
// server keeps (p, h2, h3, strong, em, a, blockquote, ul, ol, li, figure, img, figcaption, and
// dir/lang on blocks and spans), paste cleaning, word count, headline hint, autosave with
// presence, and keyboard shortcuts. Without JavaScript the plain textarea posts the same form.
(function () {
  "use strict";
  var form = document.getElementById("story-form");
  if (!form) return;
  var textarea = form.querySelector("[data-body-source]");
  var editor = form.querySelector("[data-editor]");
  var toolbar = form.querySelector(".nr-toolbar");
  var headline = form.querySelector("[data-headline]");

  var ALLOWED = { P: 1, H2: 1, H3: 1, STRONG: 1, EM: 1, A: 1, BLOCKQUOTE: 1, UL: 1, OL: 1, LI: 1,
                  FIGURE: 1, IMG: 1, FIGCAPTION: 1, SPAN: 1 };
  // Where a passage may say its direction and language (<p dir="ltr" lang="en">).
  var DIRECTED = { P: 1, H2: 1, H3: 1, BLOCKQUOTE: 1, UL: 1, OL: 1, LI: 1, FIGURE: 1, FIGCAPTION: 1, SPAN: 1 };
  var LANG = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$/;  // the server checks the tag in full
  var BLOCKS = { P: 1, H2: 1, H3: 1, BLOCKQUOTE: 1, UL: 1, OL: 1, FIGURE: 1 };
  var RENAME = { B: "STRONG", I: "EM", H1: "H2", H4: "H3", H5: "H3", H6: "H3", DIV: "P" };
  var DROP = { SCRIPT: 1, STYLE: 1, TEMPLATE: 1, IFRAME: 1, OBJECT: 1, SVG: 1, MATH: 1, META: 1, LINK: 1, TITLE: 1 };

  // Rebuild a fragment from scratch with the allowed elements only: everything a word
  // processor adds (classes, styles, spans, fonts) falls away, text stays.
  // Directions and languages are kept from the story itself, not from pasted text: a word
  // processor marks every paragraph (dir="ltr" on Arabic text, lang="AR-SA" on spans).
  function clean(source, target, pasted) {
    Array.prototype.forEach.call(source.childNodes, function (node) {
      if (node.nodeType === 3) { target.appendChild(document.createTextNode(node.nodeValue)); return; }
      if (node.nodeType !== 1 || DROP[node.nodeName]) return;
      var name = RENAME[node.nodeName] || node.nodeName;
      if (name === "SPAN" && /font-weight:\s*(bold|[6-9]00)/.test(node.getAttribute("style") || "")) name = "STRONG";
      var dir = pasted ? "" : (node.getAttribute("dir") || "").toLowerCase();
      var lang = pasted ? "" : (node.getAttribute("lang") || "");
      if (!/^(rtl|ltr|auto)$/.test(dir)) dir = "";
      if (!LANG.test(lang)) lang = "";
      // A span says nothing but its direction or language: without them it goes.
      if (name === "SPAN" && !dir && !lang) name = "";
      if (!ALLOWED[name]) { clean(node, target, pasted); return; }
      var element = document.createElement(name);
      if (DIRECTED[name]) {
        if (dir) element.setAttribute("dir", dir);
        if (lang) element.setAttribute("lang", lang);
      }
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
      clean(node, element, pasted);
      target.appendChild(element);
    });
    return target;
  }

  function sanitize(html, pasted) {
    var doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    return clean(doc.body, document.createDocumentFragment(), pasted);
  }

  // Counts and times in the edition's digits (data-digits="٠١٢٣٤٥٦٧٨٩").
  var DIGITS = form.getAttribute("data-digits") || "0123456789";
  function localDigits(value) {
    return String(value).replace(/[0-9]/g, function (d) { return DIGITS.charAt(+d); });
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
    wordCount.textContent = localDigits(wordCount.getAttribute("data-template").replace("COUNT", words));
    dirty = true;
  }
  function hintHeadline() {
    var length = headline.value.length;
    // The whole sentence: its translation holds a number of its own (90).
    headlineHint.textContent = localDigits(headlineHint.getAttribute("data-template").replace("COUNT", length));
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
    var fragment = html ? sanitize(html, true) : textToParagraphs(data.getData("text/plain"));
    var box = document.createElement("div");
    box.appendChild(fragment);
    document.execCommand("insertHTML", false, box.innerHTML);
    sync();
  });

  toolbar.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.hasAttribute("data-open")) { openPanel(button.getAttribute("data-open"), button); return; }
    closePanel(false);
    editor.focus();
    if (button.hasAttribute("data-command")) {
      document.execCommand(button.getAttribute("data-command"), false, null);
    } else if (button.hasAttribute("data-block")) {
      document.execCommand("formatBlock", false, "<" + button.getAttribute("data-block") + ">");
    } else if (button.hasAttribute("data-unlink")) {
      unlink();
    }
    sync();
  });

  // --- The toolbar's small forms: link, image with caption, direction and language ----------
  // The selection is kept while a form is open (focus moves into it) and put back to apply.
  var savedRange = null, openButton = null;
  function editorRange() {
    var selection = window.getSelection();
    if (!selection.rangeCount) return null;
    var range = selection.getRangeAt(0);
    return editor.contains(range.commonAncestorContainer) ? range.cloneRange() : null;
  }
  function restoreRange() {
    editor.focus();
    if (!savedRange) return;
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(savedRange);
  }
  function panelField(panel, name) { return panel.querySelector('[data-field="' + name + '"]'); }
  function closestIn(node, test) {
    for (; node && node !== editor; node = node.parentNode) if (node.nodeType === 1 && test(node)) return node;
    return null;
  }
  function openPanel(name, button) {
    if (openButton === button) { closePanel(true); return; }  // the same button closes it
    closePanel(false);
    savedRange = editorRange();
    var panel = form.querySelector('[data-panel="' + name + '"]');
    panel.querySelectorAll("input, select").forEach(function (field) { field.value = ""; });
    panel.querySelectorAll("[data-error]").forEach(function (error) { error.hidden = true; });
    var start = savedRange && savedRange.startContainer;
    if (name === "link") {
      var link = closestIn(start, function (n) { return n.nodeName === "A"; });
      panelField(panel, "url").value = link ? link.getAttribute("href") : "https://";
    } else if (name === "direction") {
      var marked = closestIn(start, function (n) { return DIRECTED[n.nodeName] && (n.hasAttribute("dir") || n.hasAttribute("lang")); });
      if (marked) {
        panelField(panel, "dir").value = marked.getAttribute("dir") || "";
        panelField(panel, "lang").value = marked.getAttribute("lang") || "";
      }
    }
    panel.hidden = false;
    openButton = button;
    button.setAttribute("aria-expanded", "true");
    panel.querySelector("input, select").focus();
  }
  function closePanel(backToEditor) {
    form.querySelectorAll("[data-panel]").forEach(function (panel) { panel.hidden = true; });
    if (openButton) openButton.setAttribute("aria-expanded", "false");
    openButton = null;
    if (backToEditor) restoreRange();
  }
  function showError(panel, name, wrong) {
    var error = panel.querySelector('[data-error="' + name + '"]');
    var field = panelField(panel, name);
    error.hidden = !wrong;
    if (wrong) { field.setAttribute("aria-invalid", "true"); field.focus(); } else field.removeAttribute("aria-invalid");
    return wrong;
  }

  // The top-level element of the editor that holds a node (the paragraph, the list, the figure).
  function topBlock(node) {
    while (node && node.parentNode !== editor) node = node.parentNode;
    return node;
  }

  var APPLY = {
    link: function (panel) {
      var url = panelField(panel, "url").value.trim();
      if (showError(panel, "url", !/^(https?:\/\/[^\s]+|mailto:[^\s]+)$/i.test(url))) return false;
      restoreRange();
      if (savedRange && !savedRange.collapsed) {
        document.execCommand("createLink", false, url);
      } else {
        var link = document.createElement("a");  // nothing selected: the address is the text
        link.href = url;
        link.textContent = url;
        document.execCommand("insertHTML", false, link.outerHTML);
      }
      return true;
    },
    figure: function (panel) {
      var src = panelField(panel, "src").value.trim();
      var alt = panelField(panel, "alt").value.trim();
      var caption = panelField(panel, "caption").value.trim();
      if (showError(panel, "src", !/^(https?:\/\/[^\s]+|\/[^\s]*)$/i.test(src))) return false;
      if (showError(panel, "alt", !alt)) return false;
      var figure = document.createElement("figure");
      var img = document.createElement("img");
      img.setAttribute("src", src);
      img.setAttribute("alt", alt);
      figure.appendChild(img);
      if (caption) {
        var figcaption = document.createElement("figcaption");
        figcaption.textContent = caption;
        figure.appendChild(figcaption);
      }
      // A figure is a block of its own: after the paragraph being written, or in place of an
      // empty one; a paragraph follows it so that writing can go on.
      var block = savedRange && topBlock(savedRange.startContainer);
      if (block && block.nodeName === "P" && !block.textContent.trim()) editor.replaceChild(figure, block);
      else if (block) editor.insertBefore(figure, block.nextSibling);
      else editor.appendChild(figure);
      if (!figure.nextSibling) editor.appendChild(document.createElement("p"));
      var range = document.createRange();
      range.setStart(figure.nextSibling, 0);
      savedRange = range;
      restoreRange();
      return true;
    },
    direction: function (panel) {
      var dir = panelField(panel, "dir").value;
      var lang = panelField(panel, "lang").value.trim();
      if (showError(panel, "lang", lang !== "" && !LANG.test(lang))) return false;
      function mark(element) {
        if (dir) element.setAttribute("dir", dir); else element.removeAttribute("dir");
        if (lang) element.setAttribute("lang", lang); else element.removeAttribute("lang");
      }
      var range = savedRange;
      if (!range) return true;
      var first = topBlock(range.startContainer), last = topBlock(range.endContainer);
      var inline = !range.collapsed && first === last && first && first.nodeName !== "UL" && first.nodeName !== "OL";
      if (inline && range.toString().trim() !== first.textContent.trim()) {
        // Some words of one paragraph: a <span> around them (or the span they already are).
        var span = closestIn(range.commonAncestorContainer, function (n) { return n.nodeName === "SPAN"; });
        if (!span || span.textContent.trim() !== range.toString().trim()) {
          span = document.createElement("span");
          span.appendChild(range.extractContents());
          range.insertNode(span);
        }
        mark(span);
        range = document.createRange();
        range.selectNodeContents(span);
        savedRange = range;
      } else if (range.collapsed && closestIn(range.startContainer, function (n) { return n.nodeName === "LI"; })) {
        mark(closestIn(range.startContainer, function (n) { return n.nodeName === "LI"; }));
      } else {
        // The whole paragraph, or every block the selection touches.
        Array.prototype.forEach.call(editor.children, function (block) {
          if (block === first || block === last || range.intersectsNode(block)) {
            if (DIRECTED[block.nodeName]) mark(block);
          }
        });
      }
      restoreRange();
      return true;
    },
  };

  form.querySelectorAll("[data-panel]").forEach(function (panel) {
    var name = panel.getAttribute("data-panel");
    function apply() {
      if (APPLY[name](panel)) { closePanel(false); restoreRange(); sync(); }
    }
    panel.querySelector("[data-apply]").addEventListener("click", apply);
    panel.querySelector("[data-cancel]").addEventListener("click", function () { closePanel(true); });
    panel.addEventListener("keydown", function (event) {
      // Enter applies the small form; it must not submit the story.
      if (event.key === "Enter" && event.target.nodeName !== "BUTTON") { event.preventDefault(); apply(); }
      if (event.key === "Escape") { event.preventDefault(); closePanel(true); }
    });
  });

  function unlink() {
    var range = editorRange();
    if (!range) return;
    var link = closestIn(range.startContainer, function (n) { return n.nodeName === "A"; });
    if (range.collapsed && link) {
      // The caret is in a link: the whole link goes, its words stay.
      var whole = document.createRange();
      whole.selectNodeContents(link);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(whole);
    }
    document.execCommand("unlink", false, null);
  }

  var submitting = false;
  form.addEventListener("submit", function (event) {
    textarea.value = serialize();
    submitting = !(event.submitter && event.submitter.hasAttribute("formtarget"));
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

  // Every 15 seconds: the unsaved text when something changed, otherwise only a heartbeat.
  // The answer says who else is editing, so the notice ends when they leave.
  var url = readOnly ? "" : form.getAttribute("data-autosave-url");
  var presence = document.querySelector("[data-presence]");
  var savedMessage = "";
  function autosaveData() {
    var body = new FormData();
    ["csrfmiddlewaretoken", "base_revision", "headline", "lead"].forEach(function (name) {
      body.append(name, form.querySelector("[name=" + name + "]").value);
    });
    if (dirty) body.append("body", serialize());  // without a body, the server keeps no text
    return body;
  }
  function autosave() {
    if (!url) return;
    var sent = dirty;
    var body = autosaveData();
    dirty = false;
    fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.ok) return;
        if (data.saved_at) savedMessage = form.getAttribute("data-msg-saved").replace("TIME", data.saved_at);
        var parts = savedMessage ? [savedMessage] : [];
        if (data.editors.length) {
          parts.push(form.getAttribute("data-msg-editing").replace("NAMES",
            data.editors.map(function (e) { return e.name + " (" + e.since + ")"; }).join("، ")));
        }
        if (data.stale) parts.push(form.getAttribute("data-msg-stale"));
        presence.textContent = parts.join(" ");
        presence.hidden = !parts.length;
      })
      .catch(function () { if (sent) dirty = true; });
  }
  setInterval(autosave, 15000);
  setTimeout(autosave, 1000);  // announce presence at once

  // Leaving the page (closing the tab, going elsewhere) ends this person's editing session at
  // once, rather than two minutes after the last heartbeat; the same request keeps what was
  // not saved, so that no later autosave can start the session again. Saving reloads the same
  // story, so it does not count as leaving.
  var leaveUrl = readOnly ? "" : form.getAttribute("data-leave-url");
  window.addEventListener("pagehide", function () {
    if (!leaveUrl || submitting || !navigator.sendBeacon) return;
    if (navigator.sendBeacon(leaveUrl, autosaveData())) dirty = false;
  });
  window.addEventListener("pageshow", function (event) {
    submitting = false;
    if (event.persisted) autosave();  // back from the browser's page cache: here again
  });
  // A new story's edition: picking another one changes, in place, the sections offered (those
  // of that edition only), the language and direction of the fields written in the story's
  // language, and where tag suggestions come from. Without JavaScript the "Change the edition"
  // button asks the server for the same page.
  var picker = form.querySelector("[data-edition-picker]");
  var editionData = document.getElementById("edition-data");
  if (picker && editionData) {
    var editions = JSON.parse(editionData.textContent);
    var sectionField = form.querySelector("[name=section]");
    form.querySelector("[data-edition-change]").hidden = true;
    picker.addEventListener("change", function () {
      var chosen = editions[picker.value];
      if (!chosen) return;
      var empty = sectionField.querySelector("option[value='']");
      sectionField.textContent = "";
      if (empty) sectionField.appendChild(empty);
      chosen.sections.forEach(function (section) {
        var option = document.createElement("option");
        option.value = section[0];
        option.textContent = section[1];
        sectionField.appendChild(option);
      });
      sectionField.value = "";
      form.querySelectorAll("[data-edition-text]").forEach(function (field) {
        field.setAttribute("lang", chosen.lang);
        field.setAttribute("dir", chosen.dir);
      });
      tags.setAttribute("data-suggest-url", chosen.tags);
      DIGITS = chosen.digits;  // counts are written in the edition's digits
      hintHeadline();
      suggestions.textContent = "";
      dirty = true;
    });
  }
})();
