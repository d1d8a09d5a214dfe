/* Draws the back-office charts with Chart.js from data the page carries as JSON
   (<script type="application/json">, written by Django's json_script): no inline script is needed.
   Each chart has a data table beside it, which is what readers without JavaScript get. */
(function () {
  "use strict";

  var PALETTE = ["#0b5c8a", "#2f9c95", "#e0a526", "#b8476f", "#6b7a8f", "#7c5cbf"];
  var DRAFT_COLOUR = "#c4ccd6";

  function readData(id) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function colour(dataset, index) {
    return dataset.stack === "draft" ? DRAFT_COLOUR : PALETTE[index % PALETTE.length];
  }

  function drawStackedBars(canvas, data) {
    var datasets = data.datasets.map(function (dataset, index) {
      return {
        label: dataset.label,
        data: dataset.data,
        stack: dataset.stack,
        backgroundColor: colour(dataset, index),
        borderWidth: 0
      };
    });
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: {
          x: { stacked: true },
          y: {
            stacked: true,
            beginAtZero: true,
            ticks: { precision: 0 },
            title: { display: Boolean(data.axis), text: data.axis || "" }
          }
        }
      }
    });
  }

  var DRAWERS = { "bar-stacked": drawStackedBars };

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Chart) {
      return;
    }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var draw = DRAWERS[canvas.getAttribute("data-chart")];
      var data = readData(canvas.getAttribute("data-chart-source"));
      if (draw && data) {
        // The figure stays hidden until now: without a chart it would be an empty box.
        canvas.closest("figure").classList.add("ws-chart-drawn");
        canvas.chart = draw(canvas, data);
      }
    });
  });
})();
