/* The evaluation form: each change of a criterion's answer or comment saves the draft at once.
 * htmx posts the criterion (hx-trigger="answer-changed") and shows "saved at hh:mm" or why the value
 * was refused next to it; a file input is left alone (it belongs to its own upload form).
 * Without JavaScript the "Save draft" button saves the whole form.
 */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || !input.closest || (input.type || "").toLowerCase() === "file") {
      return;
    }
    var part = input.closest("[data-autosave]");
    if (part && window.htmx) {
      window.htmx.trigger(part, "answer-changed");
    }
  });

  // Mark the form so that the page (and its tests) can tell autosave is on.
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("evaluation-form");
    if (form && window.htmx) {
      form.setAttribute("data-autosave-on", "true");
    }
  });

  // The status of a part is replaced in place; a refused value marks its inputs as invalid.
  document.addEventListener("htmx:afterSwap", function (event) {
    var part = event.detail.elt;
    if (!part || !part.hasAttribute || !part.hasAttribute("data-autosave")) {
      return;
    }
    var refused = event.detail.xhr && event.detail.xhr.status === 400;
    part.classList.toggle("ws-field-invalid", refused);
    part.querySelectorAll("input:not([type=file]), textarea, select").forEach(function (input) {
      if (refused && input.name && input.name.slice(-6) === "-value") {
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
    });
  });
})();
