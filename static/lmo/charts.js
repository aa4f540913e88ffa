// Draws the server-built Plotly figures of [data-chart] elements (their figure is the
// JSON script inside); each once. Used by the chat and the dashboard.
(function () {
  "use strict";
  window.lmoDrawCharts = function (scope) {
    if (!window.Plotly) return;
    (scope || document).querySelectorAll("[data-chart]:not([data-drawn])").forEach(function (el) {
      var script = el.querySelector("script[type='application/json']");
      if (!script) return;
      el.dataset.drawn = "1";
      var fig = JSON.parse(script.textContent);
      window.Plotly.newPlot(el, fig.data || [], fig.layout || {}, { responsive: true, displaylogo: false });
    });
  };
})();
