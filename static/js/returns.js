/* Draws the returns charts that charts.js does not: horizontal bars, one row per event, for the
   year's cost against economic impact (tens of events stay readable as rows, not as columns).
   Data comes from json_script like charts.js; the figure grows with the number of rows. */
(function () {
  "use strict";

  var PALETTE = ["#0b5c8a", "#2f9c95", "#e0a526", "#b8476f"];
  var ROW_PIXELS = 28;
  var MIN_PIXELS = 240;

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
    var figure = canvas.closest("figure");
    // CSSOM, not a style attribute: allowed by the strict CSP.
    figure.style.height = Math.max(MIN_PIXELS, data.labels.length * ROW_PIXELS + 80) + "px";
    var datasets = data.datasets.map(function (dataset, index) {
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: PALETTE[index % PALETTE.length],
        borderWidth: 0
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
        plugins: { legend: { position: "bottom" } },
        scales: {
          x: {
            beginAtZero: true,
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
    document.querySelectorAll('canvas[data-chart="bar-horizontal"]').forEach(function (canvas) {
      var data = readData(canvas.getAttribute("data-chart-source"));
      if (data) {
        canvas.closest("figure").classList.add("ws-chart-drawn");
        canvas.chart = drawHorizontalBars(canvas, data);
      }
    });
  });
})();
