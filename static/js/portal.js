/* Public portal: small enhancements on top of pages that work without JavaScript.
 * - a change of a filter (checkbox, select, number) submits the search form (htmx then fetches the
 *   results region only and pushes the new URL);
 * - empty parameters (and a radius without a commune) are dropped so that shared URLs stay short;
 * - the new result count is announced to screen readers after an update;
 * - on a narrow screen the filter panel starts folded, so that the results come first.
 * (The language switch learns the new address from the fragment itself, by an out-of-band swap.)
 */
(function () {
  "use strict";

  function isFilter(element) {
    if (!element || !element.form || !element.form.hasAttribute("data-autosubmit")) {
      return false;
    }
    var type = (element.getAttribute("type") || "").toLowerCase();
    return element.tagName === "SELECT" || type === "checkbox" || type === "radio" || type === "number";
  }

  document.addEventListener("change", function (event) {
    var element = event.target;
    if (isFilter(element)) {
      // A filter change starts again from the first page: the form carries no page number.
      element.form.requestSubmit();
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (!detail.elt || detail.elt.id !== "search-form" || !detail.formData) {
      return;
    }
    var names = [];
    detail.formData.forEach(function (value, name) {
      if (value === "" && names.indexOf(name) === -1) {
        names.push(name);
      }
    });
    detail.elt.querySelectorAll("[data-only-with]").forEach(function (element) {
      var other = detail.elt.elements.namedItem(element.getAttribute("data-only-with"));
      if (!other || !other.value) {
        detail.formData.delete(element.name);
      }
    });
    names.forEach(function (name) {
      var kept = detail.formData.getAll(name).filter(function (value) { return value !== ""; });
      detail.formData.delete(name);
      kept.forEach(function (value) { detail.formData.append(name, value); });
    });
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var count = document.getElementById("result-count");
    var status = document.getElementById("search-status");
    if (count && status && event.detail.target && event.detail.target.id === "search-region") {
      status.textContent = count.textContent.trim();
    }
  });

  var narrow = window.matchMedia("(max-width: 59.99rem)");
  var filtersOpened = false;

  function fitFilters() {
    var panel = document.getElementById("filters");
    if (panel && panel.tagName === "DETAILS") {
      panel.open = !narrow.matches || filtersOpened;
    }
  }

  document.addEventListener("click", function (event) {
    var summary = event.target.closest ? event.target.closest("#filters > summary") : null;
    if (summary) {
      filtersOpened = !summary.parentElement.open;
    }
  });
  document.addEventListener("htmx:afterSwap", fitFilters);
  narrow.addEventListener("change", fitFilters);
  fitFilters();
})();
