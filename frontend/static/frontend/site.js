/* Tunebench: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // A "Copy" button next to a freshly created API key. Shown only when the clipboard API
  // is available (it needs a secure context: https or localhost).
  function enableCopyButtons(root) {
    if (!navigator.clipboard || !root.querySelectorAll) return;
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      if (button.dataset.copyBound) return;
      button.dataset.copyBound = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.querySelector(button.getAttribute("data-copy"));
        if (!source) return;
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          button.textContent = "Copied";
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableCopyButtons(document);
  });
  // htmx fires htmx:load on every piece of content it swaps in (the keys section).
  document.addEventListener("htmx:load", function (event) {
    enableCopyButtons(event.detail.elt);
  });
})();
