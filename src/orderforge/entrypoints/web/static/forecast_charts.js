// Forecast charts: per family the weeks behind (bars) and ahead (line) with the 80 and 95 %
// bands, and the quotes' calibration, from the page's JSON data blocks (no inline script:
// CSP). The same figures are in the page's tables; without this script nothing is lost.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }

  function data(id) {
    var block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  var common = { responsive: true, maintainAspectRatio: false, animation: false,
    interaction: { mode: "index", intersect: false } };

  function band(values, label, colour, fillTo) {
    return { type: "line", label: label, data: values, borderWidth: 0, pointRadius: 0,
      backgroundColor: colour, fill: fillTo, spanGaps: false };
  }

  (data("forecast-data") || []).forEach(function (f, i) {
    var canvas = document.getElementById("chart-" + i);
    if (!canvas) { return; }
    new Chart(canvas, {
      data: {
        labels: f.weeks,
        datasets: [
          { type: "bar", label: "Units confirmed", data: f.actual, backgroundColor: "#8fb3cf" },
          band(f.upper_95, "95 % range", "rgba(31, 95, 139, 0.10)", "+3"),
          band(f.upper_80, "80 % range", "rgba(31, 95, 139, 0.22)", "+1"),
          { type: "line", label: "Forecast", data: f.point, borderColor: "#1f5f8b",
            borderWidth: 2, pointRadius: 2, fill: false },
          band(f.lower_80, "80 % range, lower edge", "rgba(31, 95, 139, 0.22)", false),
          band(f.lower_95, "95 % range, lower edge", "rgba(31, 95, 139, 0.10)", false),
          { type: "line", label: "With open quotes", data: f.total, borderColor: "#e08a1e",
            borderDash: [5, 4], borderWidth: 2, pointRadius: 0, fill: false }
        ]
      },
      options: Object.assign({}, common, {
        scales: { y: { beginAtZero: true, title: { display: true, text: "units per week" } } },
        plugins: { legend: { labels: { filter: function (item) {
          return item.text.indexOf("lower edge") < 0;
        } } } }
      })
    });
  });

  var bins = data("calibration-data");
  var canvas = document.getElementById("calibration-chart");
  if (bins && canvas) {
    var used = bins.filter(function (b) { return b.quotes > 0; });
    new Chart(canvas, {
      type: "scatter",
      data: { datasets: [
        { label: "Quotes won, by predicted chance", data: used.map(function (b) {
          return { x: b.predicted * 100, y: b.observed * 100 };
        }), backgroundColor: "#1f5f8b", pointRadius: 5 },
        { type: "line", label: "Perfectly calibrated", data: [{ x: 0, y: 0 }, { x: 100, y: 100 }],
          borderColor: "#9e9e9e", borderDash: [4, 4], pointRadius: 0 }
      ] },
      options: Object.assign({}, common, { scales: {
        x: { min: 0, max: 100, title: { display: true, text: "predicted chance (%)" } },
        y: { min: 0, max: 100, title: { display: true, text: "share won (%)" } }
      } })
    });
  }
})();
