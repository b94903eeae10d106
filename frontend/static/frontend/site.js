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

  // The task form: offer only the estimation procedures of the chosen task type (their
  // <optgroup> is labelled like the type's option). Without this the server still refuses
  // a procedure of another type, on the field.
  function filterProcedures(form) {
    var type = form.querySelector("select[data-task-type]");
    var procedure = form.querySelector("select[data-procedure-for]");
    if (!type || !procedure) return;
    function update() {
      var label = type.options[type.selectedIndex].text;
      var firstAllowed = null;
      procedure.querySelectorAll("optgroup").forEach(function (group) {
        var allowed = group.label === label;
        group.disabled = !allowed;
        group.hidden = !allowed;
        if (allowed && !firstAllowed) firstAllowed = group.querySelector("option");
      });
      var selected = procedure.options[procedure.selectedIndex];
      if (firstAllowed && (!selected || selected.parentNode.disabled)) firstAllowed.selected = true;
    }
    type.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableCopyButtons(document);
    document.querySelectorAll("form.task-form").forEach(filterProcedures);
  });
  // htmx fires htmx:load on every piece of content it swaps in (the keys section).
  document.addEventListener("htmx:load", function (event) {
    enableCopyButtons(event.detail.elt);
  });
})();
