// Chat page: sending over the socket (HTTP when it is down), typing, read receipts,
// suggestions and the / menu, threads, charts, voice recording.
(function () {
  "use strict";
  var LMO = (window.LMO = window.LMO || {});

  function root() { return document.querySelector(".chat[data-conversation]"); }
  function conversationId() { var r = root(); return r ? Number(r.dataset.conversation) : null; }
  function csrf() { var i = document.querySelector("input[name=csrfmiddlewaretoken]"); return i ? i.value : ""; }
  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }
  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
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

  function pendingBubble(clientId, text) {
    var li = document.createElement("li");
    li.id = "pending-" + clientId;
    li.className = "message from-user pending";
    li.innerHTML = '<div class="message-meta"><span class="who">You</span> <span class="status" data-status="sending">sending</span></div>' +
      '<div class="message-body"><p>' + escapeHtml(text).replace(/\n/g, "<br>") + "</p></div>";
    return li;
  }

  function markFailed(clientId, message) {
    var li = document.getElementById("pending-" + clientId);
    if (!li) return;
    li.classList.add("failed");
    var status = li.querySelector(".status");
    if (status) { status.dataset.status = "error"; status.textContent = "not sent"; }
    var p = document.createElement("p");
    p.className = "form-error"; p.setAttribute("role", "alert"); p.textContent = message;
    li.querySelector(".message-body").appendChild(p);
  }

  function listFor(form) {
    var parent = form.querySelector("input[name=parent]");
    if (parent) return document.getElementById("thread-" + parent.value + "-replies");
    return document.getElementById("messages-" + conversationId());
  }

  function httpSend(form, clientId, text) {
    var data = new FormData(form);
    data.set("client_id", clientId);
    data.set("content", text);
    return fetch(form.action, { method: "POST", body: data, headers: { "HX-Request": "true", "X-CSRFToken": csrf() }, credentials: "same-origin" })
      .then(function (r) { return r.text().then(function (html) { return { ok: r.ok, html: html }; }); })
      .then(function (res) {
        if (!res.ok) { var d = document.createElement("div"); d.innerHTML = res.html; markFailed(clientId, d.textContent.trim()); return; }
        var pending = document.getElementById("pending-" + clientId);
        var tpl = document.createElement("template"); tpl.innerHTML = res.html.trim();
        var li = tpl.content.firstElementChild;
        if (!li) return;
        var existing = document.getElementById(li.id);
        if (existing) { if (pending) pending.remove(); return; }
        if (pending) pending.replaceWith(li); else listFor(form).appendChild(li);
        htmx.process(li);
      })
      .catch(function () { markFailed(clientId, "Could not reach the server. Check your connection and send again."); });
  }

  function submitComposer(form, e) {
    var textarea = form.querySelector("textarea[name=content]");
    var text = textarea.value.trim();
    var id = conversationId();
    if (!id || form.closest(".chat-welcome")) return; // no conversation yet: plain POST creates one
    e.preventDefault();
    if (!text) return;
    var clientId = newClientId();
    var list = listFor(form);
    if (list) list.appendChild(pendingBubble(clientId, text));
    var hint = document.getElementById("empty-hint"); if (hint) hint.remove();
    textarea.value = "";
    toBottom();
    var parent = form.querySelector("input[name=parent]");
    var frame = { type: "chat.send", conversation: id, client_id: clientId, content: text, parent: parent ? Number(parent.value) : null };
    if (!LMO.send(frame)) httpSend(form, clientId, text);
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.matches && form.matches("form.composer")) submitComposer(form, e);
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

  // --- threads ------------------------------------------------------------------------
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.target.id === "thread-panel") { e.target.hidden = false; renderCharts(e.target); }
  });

  // An answer (or a status) may have changed while the page was connecting: fetch again.
  function refreshRunning() {
    var stale = ".message.running[data-message], .message.from-user[data-message]:not(:has(.status[data-status=read]))";
    document.querySelectorAll(stale).forEach(function (el) {
      fetch("/chat/m/" + el.dataset.message + "/", { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          var tpl = document.createElement("template"); tpl.innerHTML = html.trim();
          var li = tpl.content.firstElementChild;
          var current = document.getElementById(el.id);
          if (!li || !current) return;
          current.replaceWith(li); htmx.process(li); renderCharts(li); sendRead();
        });
    });
  }

  // --- socket -------------------------------------------------------------------------
  document.addEventListener("lmo:open", function () {
    var id = conversationId();
    if (id) LMO.send({ type: "chat.join", conversation: id });
    setComposerState();
  });
  document.addEventListener("lmo:close", setComposerState);
  document.addEventListener("lmo:frame", function (e) {
    var f = e.detail;
    if (f.type === "chat.joined") { lastRead = 0; refreshRunning(); sendRead(); }
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
    var form = mic.closest("form.composer");
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
        var data = new FormData();
        var clientId = newClientId();
        data.set("audio", blob, "voice.webm");
        data.set("client_id", clientId);
        var parent = form.querySelector("input[name=parent]");
        if (parent) data.set("parent", parent.value);
        fetch(form.dataset.voiceUrl, { method: "POST", body: data, headers: { "HX-Request": "true", "X-CSRFToken": csrf() }, credentials: "same-origin" })
          .then(function (r) { return r.text().then(function (html) { return { ok: r.ok, html: html }; }); })
          .then(function (res) {
            var tpl = document.createElement("template"); tpl.innerHTML = res.html.trim();
            var li = tpl.content.firstElementChild;
            if (!res.ok) { alert(tpl.content.textContent.trim()); return; }
            if (li && !document.getElementById(li.id)) { listFor(form).appendChild(li); htmx.process(li); toBottom(); }
          });
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
