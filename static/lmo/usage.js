// Settings → Usage: loads Plotly the first time the tab shows charts, then draws them.
(function () {
  "use strict";
  var box = document.getElementById("usage-charts");
  if (!box || !box.querySelector("[data-chart]")) return;
  function draw() { if (window.lmoDrawCharts) window.lmoDrawCharts(box); }
  if (window.Plotly) { draw(); return; }
  var script = document.createElement("script");
  script.src = box.dataset.plotlySrc;
  script.onload = draw;
  document.head.appendChild(script);
})();
