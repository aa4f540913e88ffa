// Countdowns of expiring permissions and requests: <time data-countdown="ISO">.
(function () {
  "use strict";
  function label(ms) {
    if (ms <= 0) return "now";
    var s = Math.round(ms / 1000), m = Math.floor(s / 60), h = Math.floor(m / 60), d = Math.floor(h / 24);
    if (d > 0) return "in " + d + " d " + (h % 24) + " h";
    if (h > 0) return "in " + h + " h " + (m % 60) + " min";
    if (m > 0) return "in " + m + " min " + (s % 60) + " s";
    return "in " + s + " s";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("data-countdown"));
      if (!isNaN(at)) el.textContent = label(at - now);
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSettle", tick);
})();
