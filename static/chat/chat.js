// Chat page: sending over the socket (htmx posts the form when it is down), typing, read
// receipts, suggestions and the / menu, threads, charts, voice recording. All markup comes
// from the server; htmx does the requests.
(function () {
  "use strict";
  var LMO = (window.LMO = window.LMO || {});

  function root() { return document.querySelector(".chat[data-conversation]"); }
  function conversationId() { var r = root(); return r ? Number(r.dataset.conversation) : null; }
  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  // --- charts -----------------------------------------------------------------------
  function renderCharts(scope) {
    if (window.lmoDrawCharts) window.lmoDrawCharts(scope);
  }

  // --- scrolling and read receipts ------------------------------------------------
  function scroller() { return document.getElementById("messages-scroll"); }
  function nearBottom() { var s = scroller(); return !s || s.scrollHeight - s.scrollTop - s.clientHeight < 160; }
  function toBottom() { var s = scroller(); if (s) s.scrollTop = s.scrollHeight; }

  var lastRead = 0;
  function sendRead() {
    var id = conversationId();
    if (!id || document.visibilityState !== "visible") return;
    var done = document.querySelectorAll(".message.from-assistant:not(.running)[data-message]");
    var max = 0;
    done.forEach(function (el) { max = Math.max(max, Number(el.dataset.message)); });
    if (max > lastRead && LMO.send({ type: "chat.read", conversation: id, up_to: max })) lastRead = max;
  }

  // --- composer state -------------------------------------------------------------
  function setComposerState() {
    var reason = "";
    if (!navigator.onLine) reason = "You are offline. You can send again when the connection is back.";
    else if (LMO.signedOut) reason = "Your session has ended. Reload the page to sign in again.";
    document.querySelectorAll("form.composer").forEach(function (form) {
      var state = form.querySelector(".composer-state");
      form.querySelectorAll("textarea, button.send").forEach(function (el) { el.disabled = !!reason; });
      form.classList.toggle("offline", !!reason);
      if (state) { state.hidden = !reason; state.textContent = reason; }
    });
  }

  // --- sending ----------------------------------------------------------------------
  // The pending bubble is the page's <template id="pending-message">; the stored message
  // (pushed on the socket, or the answer to htmx's post) replaces it.
  function showPending(form, clientId, text) {
    var list = document.querySelector(form.dataset.list);
    var tpl = document.getElementById("pending-message");
    if (!list || !tpl) return;
    var li = tpl.content.firstElementChild.cloneNode(true);
    li.id = "pending-" + clientId;
    li.querySelector(".pending-text").textContent = text;
    list.appendChild(li);
  }

  function markFailed(clientId, message) {
    var li = document.getElementById("pending-" + clientId);
    if (!li) return;
    li.classList.add("failed");
    var status = li.querySelector(".status");
    status.dataset.status = "error"; status.textContent = "not sent";
    var error = li.querySelector(".form-error");
    error.textContent = message; error.hidden = false;
  }

  function textOf(html) {
    return new DOMParser().parseFromString(html, "text/html").body.textContent.trim();
  }

  // A composer posts with htmx (hx-post): over the socket instead when it is open.
  document.addEventListener("htmx:confirm", function (e) {
    var form = e.detail.elt;
    if (!form.matches("form.composer")) return;
    var textarea = form.querySelector("textarea[name=content]");
    var text = textarea.value.trim();
    if (!text) { e.preventDefault(); return; }
    var clientId = newClientId();
    form.querySelector("input[name=client_id]").value = clientId;
    textarea.value = text;
    showPending(form, clientId, text);
    var hint = document.getElementById("empty-hint"); if (hint) hint.remove();
    toBottom();
    var parent = form.querySelector("input[name=parent]");
    var frame = { type: "chat.send", conversation: conversationId(), client_id: clientId, content: text, parent: parent ? Number(parent.value) : null };
    if (LMO.send(frame)) { e.preventDefault(); textarea.value = ""; }
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    var form = e.detail.elt;
    if (form.matches("form.composer")) form.querySelector("textarea[name=content]").value = "";
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.successful && e.detail.elt.matches("form.composer, #voice-upload")) toBottom();
  });
  document.addEventListener("htmx:responseError", function (e) {
    var elt = e.detail.elt;
    var reason = textOf(e.detail.xhr.responseText);
    if (elt.matches("form.composer")) markFailed(e.detail.requestConfig.formData.get("client_id"), reason);
    else if (elt.id === "voice-upload") alert(reason);
  });
  document.addEventListener("htmx:sendError", function (e) {
    var elt = e.detail.elt;
    var reason = "Could not reach the server. Check your connection and send again.";
    if (elt.matches("form.composer")) markFailed(e.detail.requestConfig.formData.get("client_id"), reason);
    else if (elt.id === "voice-upload") alert(reason);
  });

  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (!t.matches || !t.matches("form.composer textarea")) return;
    var menu = t.form.querySelector(".slash-menu");
    if (menu && !menu.hidden && e.key === "Enter") {
      var first = menu.querySelector("li:not([hidden])");
      if (first) { e.preventDefault(); choose(t, first.dataset.example); return; }
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      t.form.requestSubmit();
    }
    if (e.key === "Escape" && menu) menu.hidden = true;
  });

  // --- typing, / menu ---------------------------------------------------------------
  var lastTyping = 0;
  document.addEventListener("input", function (e) {
    var t = e.target;
    if (!t.matches || !t.matches("form.composer textarea")) return;
    var id = conversationId();
    if (id && t.value && Date.now() - lastTyping > 2000) {
      lastTyping = Date.now();
      LMO.send({ type: "chat.typing", conversation: id });
    }
    var menu = t.form.querySelector(".slash-menu");
    if (!menu) return;
    var v = t.value;
    if (v.charAt(0) === "/" && v.indexOf(" ") < 0) {
      var q = v.slice(1).toLowerCase();
      var any = false;
      menu.querySelectorAll("li").forEach(function (li) {
        var hit = li.textContent.toLowerCase().indexOf(q) >= 0;
        li.hidden = !hit; any = any || hit;
      });
      menu.hidden = !any;
    } else {
      menu.hidden = true;
    }
  });

  function choose(textarea, example) {
    textarea.value = example;
    var menu = textarea.form.querySelector(".slash-menu");
    if (menu) menu.hidden = true;
    textarea.focus();
  }

  document.addEventListener("click", function (e) {
    var chip = e.target.closest && e.target.closest(".chip, .slash-menu li");
    if (chip) {
      var form = chip.closest("form.composer");
      choose(form.querySelector("textarea"), chip.dataset.example);
      return;
    }
    var close = e.target.closest && e.target.closest(".thread-close");
    if (close && document.getElementById("thread-panel")) {
      e.preventDefault();
      var panel = document.getElementById("thread-panel");
      panel.hidden = true; panel.innerHTML = "";
    }
  });

  // --- threads, refreshed messages --------------------------------------------------
  document.addEventListener("htmx:afterSwap", function (e) {
    var elt = e.target;
    if (elt.id === "thread-panel") { elt.hidden = false; renderCharts(elt); }
    if (elt.matches(".message[data-message]")) { renderCharts(elt); sendRead(); }
  });

  // --- socket -------------------------------------------------------------------------
  function newestShown() {
    var max = 0;
    document.querySelectorAll(".message[data-message]").forEach(function (el) {
      max = Math.max(max, Number(el.dataset.message));
    });
    return max;
  }
  document.addEventListener("lmo:open", function () {
    var id = conversationId();
    if (id) LMO.send({ type: "chat.join", conversation: id, after: newestShown() });
    setComposerState();
  });
  document.addEventListener("lmo:close", setComposerState);
  document.addEventListener("lmo:frame", function (e) {
    var f = e.detail;
    // What changed while the page was connecting: stale messages fetch themselves again
    // (templates/chat/_message.html, hx-trigger="chat-joined from:body").
    if (f.type === "chat.joined") { lastRead = 0; htmx.trigger(document.body, "chat-joined"); sendRead(); }
    if (f.type === "error" && f.ref) {
      if (document.getElementById("pending-" + f.ref)) markFailed(f.ref, f.message);
      else if (window.LMO && f.code === "not_found") console.warn(f.message);
    }
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    renderCharts(document);
    sendRead();
    if (nearBottom()) toBottom();
  });
  document.addEventListener("lmo:swapped", function (e) { renderCharts(e.detail.elt); });
  document.addEventListener("visibilitychange", sendRead);
  window.addEventListener("online", setComposerState);
  window.addEventListener("offline", setComposerState);

  // --- voice --------------------------------------------------------------------------
  var recorder = null;
  document.addEventListener("click", function (e) {
    var mic = e.target.closest && e.target.closest("button.mic");
    if (!mic || mic.disabled) return;
    if (recorder && recorder.state === "recording") { recorder.stop(); return; }
    if (!navigator.mediaDevices || !window.MediaRecorder) { alert("This browser cannot record audio."); return; }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.ondataavailable = function (ev) { if (ev.data.size) chunks.push(ev.data); };
      recorder.onstop = function () {
        stream.getTracks().forEach(function (t) { t.stop(); });
        mic.classList.remove("recording"); mic.textContent = "Voice";
        var blob = new Blob(chunks, { type: recorder.mimeType || "audio/webm" });
        var upload = document.getElementById("voice-upload");
        var files = new DataTransfer();
        files.items.add(new File([blob], "voice.webm", { type: blob.type }));
        upload.querySelector("input[name=audio]").files = files.files;
        upload.querySelector("input[name=client_id]").value = newClientId();
        htmx.trigger(upload, "voice-recorded");
      };
      recorder.start();
      mic.classList.add("recording"); mic.textContent = "Stop recording";
    }).catch(function () { alert("Microphone access was refused."); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    setComposerState();
    renderCharts(document);
    toBottom();
  });
  window.addEventListener("load", function () { renderCharts(document); });
})();
