/* The event form: the campaign page's fields only show when the kind is a campaign. Without this
   file they all show, and the server ignores them for other kinds. */
(function () {
  "use strict";

  function setUpCampaignFields() {
    var kind = document.getElementById("id_kind");
    var fields = document.querySelector("[data-campaign-fields]");
    if (!kind || !fields) {
      return;
    }
    function update() {
      fields.hidden = kind.value !== "campaign";
    }
    kind.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", setUpCampaignFields);
})();
