/* The extranet and back-office pages work without this file; it adds conveniences:
   adding a meeting room without a round trip, and a confirmation before destructive buttons. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function setUpRoomAdder() {
    var button = document.querySelector("[data-add-room]");
    var list = document.querySelector("[data-rooms]");
    var template = document.getElementById("room-empty-form");
    if (!button || !list || !template) {
      return;
    }
    var prefix = list.getAttribute("data-prefix");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        button.disabled = true;
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var room = holder.querySelector("[data-room]");
      list.appendChild(room);
      total.value = String(index + 1);
      var first = room.querySelector("input:not([type=hidden])");
      if (first) {
        first.focus();
      }
    });
  }

  function setUpConfirmations() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
      }
    });
  }

  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpRoomAdder();
    setUpConfirmations();
    focusErrorSummary();
  });
})();
