// The article page is the same for every reader, so it can be cached anywhere; the comments
// region is fetched from its own URL and put in place. Without JavaScript the link stays.
(function () {
  "use strict";
  var region = document.querySelector("[data-comments-src]");
  if (!region || !window.fetch) return;
  var body = region.querySelector(".comments-body");
  var url = region.getAttribute("data-comments-src") + "?partial=1";
  fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    })
    .then(function (html) {
      var template = document.createElement("template");
      template.innerHTML = html;
      var fresh = template.content.querySelector(".comments-body");
      if (fresh && body) body.replaceWith(fresh);
    })
    .catch(function () { /* the plain link stays in place */ });
})();
