/* Draws the horizontal bar charts of the qualification figures (criteria most often missed) with
   Chart.js, from data the page carries as JSON (json_script): no inline script is needed.
   charts.js draws the other charts; it leaves canvases of this type alone. */
(function () {
  "use strict";

  var COLOUR = "#b8476f";

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

  function drawHorizontalBars(canvas, data) {
    var datasets = data.datasets.map(function (dataset) {
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: COLOUR,
        borderWidth: 0,
        maxBarThickness: 28
      };
    });
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: {
            beginAtZero: true,
            suggestedMax: 100,
            title: { display: Boolean(data.axis), text: data.axis || "" }
          }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Chart) {
      return;
    }
    document.querySelectorAll("canvas[data-chart='bar-horizontal']").forEach(function (canvas) {
      var data = readData(canvas.getAttribute("data-chart-source"));
      if (data) {
        canvas.closest("figure").classList.add("ws-chart-drawn");
        canvas.chart = drawHorizontalBars(canvas, data);
      }
    });
  });
})();
