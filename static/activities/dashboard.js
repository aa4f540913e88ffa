// The dashboard: draws the server-built Plotly figures, and refreshes the charts and
// the list when activities change (live frames from the page socket).
(function () {
  "use strict";

  function draw(scope) {
    if (!window.Plotly) return;
    (scope || document).querySelectorAll("[data-chart]:not([data-drawn])").forEach(function (el) {
      var script = el.querySelector("script[type='application/json']");
      if (!script) return;
      el.dataset.drawn = "1";
      var fig = JSON.parse(script.textContent);
      window.Plotly.newPlot(el, fig.data || [], fig.layout || {}, { responsive: true, displaylogo: false });
    });
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
  window.addEventListener("load", function () { draw(document); });
  if (document.readyState !== "loading") draw(document);
  else document.addEventListener("DOMContentLoaded", function () { draw(document); });
})();
