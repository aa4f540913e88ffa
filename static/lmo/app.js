// LMO page script: live connection indicator, JSON control frames, toasts.
(function () {
  "use strict";
  var SIGNED_OUT = [4401, 4403, 4408];

  function setLive(state, label) {
    var el = document.getElementById("live-status");
    if (!el) return;
    el.dataset.state = state;
    el.title = "Live updates: " + label;
    el.querySelector(".live-label").textContent = label;
  }

  function toast(text, level) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var div = document.createElement("div");
    div.className = "toast toast-" + (level || "info");
    div.setAttribute("role", "status");
    div.textContent = text;
    box.appendChild(div);
  }

  function arm(toastEl) {
    if (toastEl.dataset.armed) return;
    toastEl.dataset.armed = "1";
    if (!toastEl.querySelector(".toast-close")) {
      var close = document.createElement("button");
      close.type = "button"; close.className = "toast-close"; close.setAttribute("aria-label", "Dismiss");
      close.textContent = "×";
      toastEl.appendChild(close);
    }
    // Sticky toasts (urgent ones) stay until acted on or dismissed.
    if (toastEl.dataset.sticky === undefined) {
      setTimeout(function () { toastEl.remove(); }, 8000);
    }
  }

  function armAll() {
    document.querySelectorAll("#toasts .toast").forEach(arm);
  }

  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest(".toast-close");
    if (btn) btn.closest(".toast").remove();
  });

  document.addEventListener("DOMContentLoaded", function () {
    armAll();
    var box = document.getElementById("toasts");
    if (box) new MutationObserver(armAll).observe(box, { childList: true });
  });

  document.addEventListener("htmx:wsConnecting", function () { setLive("connecting", "Connecting"); });
  document.addEventListener("htmx:wsOpen", function () { setLive("online", "Live"); });
  document.addEventListener("htmx:wsClose", function (e) {
    var code = e.detail && e.detail.event ? e.detail.event.code : 0;
    if (SIGNED_OUT.indexOf(code) >= 0) {
      setLive("offline", "Signed out");
      toast("Your session has ended. Reload the page to sign in again.", "warning");
    } else {
      setLive("offline", "Reconnecting");
    }
  });

  // Server -> page traffic is HTML for htmx to swap, or a JSON control frame handled here.
  document.addEventListener("htmx:wsBeforeMessage", function (e) {
    var message = e.detail.message;
    if (typeof message !== "string" || message.charAt(0) !== "{") return;
    e.preventDefault();
    var frame;
    try { frame = JSON.parse(message); } catch (_) { return; }
    if (frame.type === "error") toast(frame.message, "error");
    document.dispatchEvent(new CustomEvent("lmo:frame", { detail: frame }));
  });
})();
