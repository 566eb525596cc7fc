// The plant dashboard's charts, drawn from the page's JSON data block (no inline script:
// CSP). Every figure is in the page's tables too; without this script nothing is lost.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var block = document.getElementById("dashboard-data");
  if (!block) { return; }
  var d = JSON.parse(block.textContent);
  var common = { responsive: true, maintainAspectRatio: false, animation: false,
    interaction: { mode: "index", intersect: false } };
  var palette = ["#1f5f8b", "#e08a1e", "#2e7d32", "#8e24aa", "#c62828", "#6d4c41", "#00838f"];

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }
  function day(iso) { return iso.slice(8, 10) + "." + iso.slice(5, 7); }

  draw("intake-chart", { data: { labels: d.intake.weeks.map(day), datasets: [
    { type: "bar", label: "Planned hours of the work confirmed", data: d.intake.hours,
      backgroundColor: "#8fb3cf" },
    { type: "line", label: "Plant working hours", data: d.intake.available_hours,
      borderColor: "#c62828", borderWidth: 2, pointRadius: 0, stepped: true }
  ] }, options: Object.assign({}, common, { scales: { y: { beginAtZero: true,
    title: { display: true, text: "hours per week" } } } }) });

  draw("lead-chart", { data: { labels: d.delivery.months, datasets: [
    { type: "bar", label: "Quoted lead time (days, median)", data: d.delivery.quoted_days,
      backgroundColor: "#8fb3cf", yAxisID: "days" },
    { type: "bar", label: "Actual lead time (days, median)", data: d.delivery.actual_days,
      backgroundColor: "#1f5f8b", yAxisID: "days" },
    { type: "line", label: "Delivered on time (%)", data: d.delivery.on_time_percent,
      borderColor: "#2e7d32", borderWidth: 2, yAxisID: "share", spanGaps: true }
  ] }, options: Object.assign({}, common, { scales: {
    days: { position: "left", beginAtZero: true, title: { display: true, text: "days" } },
    share: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false },
      title: { display: true, text: "% on time" } } } }) });

  draw("load-chart", { type: "bar", data: {
    labels: d.load.work_centres.map(function (c) { return c.name; }),
    datasets: [{ label: "Share of its hours planned (%)",
      data: d.load.work_centres.map(function (c) { return c.percent; }),
      backgroundColor: d.load.work_centres.map(function (c, i) {
        return i === 0 && c.percent ? "#c62828" : "#1f5f8b"; }) }] },
    options: Object.assign({}, common, { indexAxis: "y", scales: { x: { min: 0,
      suggestedMax: 100 } } }) });

  draw("wip-chart", { type: "bar", data: {
    labels: d.wip.map(function (s) { return s.label; }),
    datasets: [{ label: "Orders", data: d.wip.map(function (s) { return s.orders; }),
      backgroundColor: "#e08a1e" }] },
    options: Object.assign({}, common, { scales: { y: { beginAtZero: true,
      ticks: { precision: 0 } } } }) });

  if (d.fpy) {
    draw("fpy-chart", { type: "bar", data: {
      labels: d.fpy.work_centres.map(function (c) { return c.name; }),
      datasets: [{ label: "First-pass yield (%)",
        data: d.fpy.work_centres.map(function (c) { return c.fpy_percent; }),
        backgroundColor: "#2e7d32" }] },
      options: Object.assign({}, common, { scales: { y: { min: 0, max: 100 } } }) });
  }

  if (d.what_if) {
    var rows = d.what_if.rows;
    draw("whatif-chart", { data: { labels: rows.map(function (r) { return r.scenario; }),
      datasets: [
        { type: "bar", label: "Quoted lead time (days)", yAxisID: "days",
          data: rows.map(function (r) { return r.quoted_lead_days; }), backgroundColor: "#8fb3cf" },
        { type: "bar", label: "Actual lead time (days)", yAxisID: "days",
          data: rows.map(function (r) { return r.actual_lead_days; }), backgroundColor: "#1f5f8b" },
        { type: "line", label: "On time (%)", yAxisID: "share", borderColor: "#2e7d32",
          data: rows.map(function (r) { return r.on_time_percent; }), borderWidth: 2 }
      ] }, options: Object.assign({}, common, { scales: {
        days: { position: "left", beginAtZero: true, title: { display: true, text: "days" } },
        share: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } } } }) });
  }

  if (d.forecast && d.forecast.families.length) {
    var sets = [];
    d.forecast.families.forEach(function (f, i) {
      var colour = palette[i % palette.length];
      sets.push({ type: "line", label: f.label, data: f.point, borderColor: colour,
        borderWidth: 2, pointRadius: 2, fill: false });
    });
    draw("forecast-chart", { data: { labels: d.forecast.families[0].weeks.map(day),
      datasets: sets }, options: Object.assign({}, common, { scales: { y: {
        beginAtZero: true, title: { display: true, text: "units per week" } } } }) });
  }
})();
