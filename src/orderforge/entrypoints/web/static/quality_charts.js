// Quality charts: draws the control chart, the range chart, first-pass yield per work
// centre and the scrap Pareto from the page's JSON data blocks (no inline script: CSP).
// The same figures are in the page's tables; without this script nothing is lost.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }

  function data(id) {
    var block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  function line(value, n, label, colour, dash) {
    var values = [];
    for (var i = 0; i < n; i++) { values.push(value); }
    return { type: "line", label: label, data: values, borderColor: colour, borderDash: dash || [],
      borderWidth: 1.5, pointRadius: 0, fill: false };
  }

  var common = { responsive: true, maintainAspectRatio: false, animation: false };

  function control(view) {
    var chart = view.chart;
    var canvas = document.getElementById("control-chart");
    if (!chart || !canvas) { return; }
    var n = chart.points.length;
    var labels = chart.points.map(function (_, i) { return String(i + 1); });
    var flagged = {};
    chart.beyond_limits.concat(chart.runs).forEach(function (i) { flagged[i] = true; });
    var sets = [
      { type: "line", label: view.characteristic.name, data: chart.points, borderColor: "#1f5f8b",
        borderWidth: 1.5, pointRadius: 3,
        pointBackgroundColor: chart.points.map(function (_, i) { return flagged[i] ? "#c62828" : "#1f5f8b"; }) },
      line(chart.limits.centre, n, "Centre line", "#2e7d32"),
      line(chart.limits.upper, n, "Upper control limit", "#c62828", [6, 4]),
      line(chart.limits.lower, n, "Lower control limit", "#c62828", [6, 4])
    ];
    if (view.spec.upper !== null) { sets.push(line(view.spec.upper, n, "Upper tolerance", "#6d4c41", [2, 3])); }
    if (view.spec.lower !== null) { sets.push(line(view.spec.lower, n, "Lower tolerance", "#6d4c41", [2, 3])); }
    new Chart(canvas, { type: "line", data: { labels: labels, datasets: sets },
      options: Object.assign({}, common, { plugins: { legend: { position: "bottom" } } }) });
    var range = document.getElementById("range-chart");
    if (range) {
      var m = chart.ranges.length;
      var offset = chart.kind === "individuals" ? 2 : 1;
      new Chart(range, { type: "line", data: {
        labels: chart.ranges.map(function (_, i) { return String(i + offset); }),
        datasets: [
          { type: "line", label: chart.kind === "individuals" ? "Moving range" : "Range",
            data: chart.ranges, borderColor: "#455a64", borderWidth: 1.5, pointRadius: 2 },
          line(chart.range_limits.centre, m, "Average range", "#2e7d32"),
          line(chart.range_limits.upper, m, "Upper limit", "#c62828", [6, 4])
        ] }, options: Object.assign({}, common, { plugins: { legend: { position: "bottom" } } }) });
    }
  }

  function fpy(view) {
    var canvas = document.getElementById("fpy-chart");
    if (!view || !canvas) { return; }
    new Chart(canvas, { type: "bar", data: {
      labels: view.work_centres.map(function (r) { return r.name; }),
      datasets: [{ label: "First-pass yield (%)", backgroundColor: "#1f5f8b",
        data: view.work_centres.map(function (r) { return r.fpy_percent; }) }] },
      options: Object.assign({}, common, { scales: { y: { min: 0, max: 100 } },
        plugins: { legend: { display: false } } }) });
  }

  function pareto(view) {
    var canvas = document.getElementById("pareto-chart");
    if (!view || !canvas) { return; }
    new Chart(canvas, { data: {
      labels: view.causes.map(function (b) { return b.cause; }),
      datasets: [
        { type: "bar", label: "Scrapped units", yAxisID: "units", backgroundColor: "#8d6e63",
          data: view.causes.map(function (b) { return b.quantity; }), order: 2 },
        { type: "line", label: "Cumulative %", yAxisID: "share", borderColor: "#c62828",
          data: view.causes.map(function (b) { return b.cumulative_percent; }), order: 1 }
      ] },
      options: Object.assign({}, common, { scales: {
        units: { type: "linear", position: "left", beginAtZero: true },
        share: { type: "linear", position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } }
      }, plugins: { legend: { position: "bottom" } } }) });
  }

  var view = data("control-data");
  if (view) { control(view); }
  fpy(data("fpy-data"));
  pareto(data("pareto-data"));
})();
