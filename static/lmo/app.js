// LMO page script: live connection indicator, JSON control frames, toasts.
(function () {
  "use strict";
  var SIGNED_OUT = [4401, 4403, 4408];
  var SESSION_CHANGED = 4409;

  // htmx's ws extension reconnects only after 1006/1011-1013: a fresh copy of the socket's
  // element opens a new connection.
  function reconnect() {
    var el = document.getElementById("live");
    if (!el) return;
    var fresh = el.cloneNode(false);
    el.replaceWith(fresh);
    htmx.process(fresh);
  }

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

  // No inline handlers (Content-Security-Policy): forms that ask first (data-confirm) and
  // fields that submit their form when changed (data-autosubmit).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  }, true);
  document.addEventListener("change", function (e) {
    var field = e.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) field.form.requestSubmit();
  });

  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest(".toast-close");
    if (btn) btn.closest(".toast").remove();
  });

  document.addEventListener("DOMContentLoaded", function () {
    armAll();
    var box = document.getElementById("toasts");
    if (box) new MutationObserver(armAll).observe(box, { childList: true });
  });

  // A small API for page scripts: send a JSON frame on the page socket when it is open.
  var LMO = (window.LMO = window.LMO || {});
  LMO.socket = null;
  LMO.isOpen = false;
  LMO.signedOut = false;
  LMO.send = function (frame) {
    if (!LMO.isOpen || !LMO.socket) return false;
    LMO.socket.sendImmediately(JSON.stringify(frame));
    return true;
  };

  // Elements marked data-upsert replace their existing copy instead of being appended
  // twice (a message can arrive over the socket and in an HTTP response).
  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    var frag = e.detail.fragment;
    var first = frag && frag.firstElementChild;
    if (!first || !first.id || !first.hasAttribute("data-upsert")) return;
    var existing = document.getElementById(first.id);
    if (existing) {
      existing.replaceWith(first);
      htmx.process(first);
      document.dispatchEvent(new CustomEvent("lmo:swapped", { detail: { elt: first } }));
      e.detail.shouldSwap = false;
    }
  });
  // Indicators that expire by themselves (typing...): data-expires-in seconds.
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    var elt = e.target;
    if (!elt || !elt.dataset || !elt.dataset.expiresIn) return;
    clearTimeout(elt._lmoExpiry);
    elt._lmoExpiry = setTimeout(function () { elt.innerHTML = ""; }, Number(elt.dataset.expiresIn) * 1000);
  });

  document.addEventListener("htmx:wsConnecting", function () { setLive("connecting", "Connecting"); });
  document.addEventListener("htmx:wsOpen", function (e) {
    LMO.socket = e.detail.socketWrapper;
    LMO.isOpen = true;
    setLive("online", "Live");
    document.dispatchEvent(new CustomEvent("lmo:open"));
  });
  document.addEventListener("htmx:wsClose", function (e) {
    LMO.isOpen = false;
    document.dispatchEvent(new CustomEvent("lmo:close"));
    var code = e.detail && e.detail.event ? e.detail.event.code : 0;
    if (SIGNED_OUT.indexOf(code) >= 0) {
      LMO.signedOut = true;
      setLive("offline", "Signed out");
      toast("Signed out: sign in again (reload the page).", "warning");
    } else if (code === SESSION_CHANGED) {
      // The session was replaced or ended: connect again with the cookie the browser has
      // now; the server accepts it or closes with why (signed out, second factor...).
      setLive("connecting", "Reconnecting");
      setTimeout(reconnect, 100);
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
    if (frame.type === "error" && !frame.ref) toast(frame.message, "error");
    document.dispatchEvent(new CustomEvent("lmo:frame", { detail: frame }));
  });
})();
