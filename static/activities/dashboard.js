// The dashboard: draws the server-built Plotly figures, and refreshes the charts and
// the list when activities change (live frames from the page socket).
(function () {
  "use strict";

  function draw(scope) {
    if (window.lmoDrawCharts) window.lmoDrawCharts(scope);
  }

  var pending = null;
  function refresh() {
    var body = document.getElementById("dashboard-body");
    if (!body || !window.htmx) return;
    window.htmx.ajax("GET", body.dataset.refresh, { target: "#dashboard-body", swap: "outerHTML" });
  }

  document.addEventListener("lmo:frame", function (e) {
    var frame = e.detail || {};
    if (frame.type !== "activities.changed") return;
    clearTimeout(pending);
    pending = setTimeout(refresh, 800);  // a burst of batches refreshes once
  });
  document.addEventListener("htmx:afterSettle", function (e) { draw(e.target); });
  draw(document);  // deferred after plotly.js and charts.js: the page is parsed
})();
