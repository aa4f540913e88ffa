// Notifications on every page: toasts resolved elsewhere go away, the badge is
// refreshed after a reconnect, and the centre page keeps its list live.
(function () {
  "use strict";
  var opened = false;

  function list() { return document.getElementById("notification-list"); }

  document.addEventListener("lmo:frame", function (e) {
    var frame = e.detail;
    if (!frame || frame.type !== "notifications.resolved") return;
    (frame.ids || []).forEach(function (id) {
      // Keep the toast that shows (or is about to show) the outcome of this tab's own
      // action: the frame can arrive before the answer to the request.
      document.querySelectorAll('#toasts [data-notification="' + id + '"]:not([data-resolved])')
        .forEach(function (el) { if (!el.querySelector(".htmx-request")) el.remove(); });
    });
  });

  document.addEventListener("lmo:open", function () {
    var reconnect = opened;
    opened = true;
    if (list()) window.LMO.send({ type: "notifications.watch" });
    if (!reconnect) return;
    // Whatever happened while the socket was down: fetch the badge (and the list) again.
    var badge = document.getElementById("notification-badge");
    if (badge) htmx.ajax("GET", badge.dataset.src || "/notifications/badge/", { target: badge, swap: "outerHTML" });
    var results = document.getElementById("notification-results");
    if (results && list()) htmx.ajax("GET", window.location.href, { target: results, swap: "outerHTML" });
  });

  // New items arrive for the centre's first page; a category filter keeps out the others.
  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    var target = e.detail.target;
    if (!target || target.id !== "notification-list") return;
    var item = e.detail.fragment && e.detail.fragment.firstElementChild;
    var only = target.dataset.category;
    if (item && only && item.dataset.category !== only) e.detail.shouldSwap = false;
    var empty = document.getElementById("notification-empty");
    if (empty && e.detail.shouldSwap !== false) empty.remove();
  });
})();
