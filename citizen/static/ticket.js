// The ticket page, live: server-sent events replace the ticket's panel as the hub changes it;
// without them (an old browser, a proxy that buffers, a refusal), the panel is fetched every
// 10 s and the stream tried again each minute; with neither, the page reloads itself; with no
// JavaScript at all, a <noscript> meta refresh does. Whatever the way, a page that has heard
// nothing for 45 s says so, so that a citizen never trusts a frozen page.
(function () {
  "use strict";
  var main = document.getElementById("ticket");
  if (!main) { return; }
  var POLL_MS = 10000, HIDDEN_POLL_MS = 30000, RETRY_STREAM_MS = 30000, SILENCE_MS = 45000,
    RELOAD_MS = 20000;
  var alertKey = "lobby-alert:" + location.pathname;
  var last = { state: null, recalls: -1, alerted: false };
  var heard = Date.now();
  var blink = null, audio = null, source = null, polling = null;

  function panel() { return main.querySelector("[data-state]"); }

  function vibrate(pattern) {
    if (navigator.vibrate) { try { navigator.vibrate(pattern); } catch (e) { /* not allowed */ } }
  }

  function beep() {
    if (!audio) { return; }
    try {
      var tone = audio.createOscillator(), gain = audio.createGain();
      tone.frequency.value = 880; gain.gain.value = 0.2;
      tone.connect(gain); gain.connect(audio.destination);
      tone.start(); tone.stop(audio.currentTime + 0.6);
    } catch (e) { /* no sound: the screen and the vibration still tell */ }
  }

  function wakeAudio() {
    if (!audio && window.AudioContext) { try { audio = new AudioContext(); } catch (e) { audio = null; } }
  }

  function setTitle(title, blinking) {
    if (blink) { clearInterval(blink); blink = null; }
    document.title = title;
    if (blinking) {
      var on = false;
      blink = setInterval(function () { on = !on; document.title = on ? "🔔 " + title : title; }, 1000);
    }
  }

  function threshold() {
    var value = parseInt(localStorage.getItem(alertKey) || "", 10);
    return isNaN(value) ? null : value;
  }

  function alive(time) {
    heard = Date.now();
    var lost = document.getElementById("lost");
    if (lost) { lost.hidden = true; }
    var clock = main.querySelector(".updated time");
    if (clock && time) { clock.textContent = time; }
  }

  function apply() {
    var p = panel();
    if (!p) { return; }
    var state = p.getAttribute("data-state");
    var recalls = parseInt(p.getAttribute("data-recalls") || "0", 10);
    var called = state === "called";
    if (called && (last.state !== "called" || recalls > last.recalls)) {
      vibrate([600, 200, 600, 200, 600]);
      beep();
    }
    setTitle(p.getAttribute("data-title") || document.title, called);
    var choice = p.querySelector(".alert-choice");
    if (choice) {
      choice.hidden = false;
      var select = choice.querySelector("select");
      var n = threshold();
      select.value = n === null ? "" : String(n);
      var ahead = parseInt(p.getAttribute("data-ahead") || "", 10);
      var near = n !== null && !isNaN(ahead) && ahead <= n;
      p.querySelector(".alert-now").hidden = !near;
      if (near && !last.alerted) {
        vibrate([400, 150, 400]);
        beep();
        p.querySelector(".alert-now").scrollIntoView({ block: "start", behavior: "smooth" });
      }
      last.alerted = near;
    }
    last.state = state;
    last.recalls = recalls;
  }

  function show(html) {
    var open = main.querySelector("details[open]");  // a confirmation being read stays open
    main.innerHTML = html;
    if (open) { var again = main.querySelector("details"); if (again) { again.open = true; } }
    alive(null);
    apply();
  }

  function ended() {
    // Nothing more will come: no stream, no polling, no "not getting updates".
    if (source) { source.close(); source = null; }
    if (polling && polling !== "ended") { clearTimeout(polling); }
    polling = "ended";
    var lost = document.getElementById("lost");
    if (lost) { lost.hidden = true; }
  }

  function expired() {
    var text = document.getElementById("expired-text");
    if (text) { show(text.innerHTML); }
    ended();
  }

  function poll(since) {
    polling = null;
    if (!document.hidden && Date.now() - since >= RETRY_STREAM_MS && window.EventSource) {
      listen();
      return;
    }
    fetch(main.getAttribute("data-fragment"), { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 404) { expired(); return null; }
        return response.ok ? response.text() : null;  // 429, 503: try again, never give up
      })
      .then(function (html) { if (html) { show(html); } })
      .catch(function () { /* offline for now */ })
      .then(function () {
        if (polling !== "ended") {
          polling = setTimeout(function () { poll(since); }, document.hidden ? HIDDEN_POLL_MS : POLL_MS);
        }
      });
  }

  function fallBack() {
    if (source) { source.close(); source = null; }
    if (polling === null) { var since = Date.now(); polling = setTimeout(function () { poll(since); }, POLL_MS); }
  }

  function listen() {
    var failures = 0;
    source = new EventSource(main.getAttribute("data-events"));
    source.addEventListener("ticket", function (event) {
      failures = 0;
      show(event.data);
      if (panel() && panel().getAttribute("data-state") === "expired") { ended(); }
    });
    source.addEventListener("alive", function (event) { failures = 0; alive(event.data); });
    source.onerror = function () {
      failures += 1;
      // The browser retries by itself; after three failures in a row, polling takes over.
      if (failures >= 3 || source.readyState === EventSource.CLOSED) { fallBack(); }
    };
  }

  // A browser keeps six connections to a server over plain HTTP: a stream per open tab
  // would leave none for a seventh tab or a button press. Only the tab in sight streams;
  // hidden ones poll now and then (and a phone's locked screen hides the page anyway).
  document.addEventListener("visibilitychange", function () {
    if (polling === "ended" || !window.EventSource) { return; }
    if (document.hidden) {
      if (source) { source.close(); source = null; }
      fallBack();
    } else {
      if (polling) { clearTimeout(polling); polling = null; }
      if (!source) { listen(); }
    }
  });

  main.addEventListener("change", function (event) {
    if (event.target.name !== "alert") { return; }
    wakeAudio();
    if (event.target.value) { localStorage.setItem(alertKey, event.target.value); }
    else { localStorage.removeItem(alertKey); }
    last.alerted = false;
    apply();
  });
  main.addEventListener("toggle", function (event) {
    if (event.target.open) { event.target.scrollIntoView({ block: "nearest", behavior: "smooth" }); }
  }, true);
  document.addEventListener("click", wakeAudio, { once: true });

  // A message after an act is read, then goes (the page goes on living below it); said once
  // (?m=...), it is not said again on a reload.
  var message = document.querySelector(".message");
  if (message) { setTimeout(function () { message.hidden = true; }, 20000); }
  if (location.search.indexOf("m=") >= 0 && window.history && history.replaceState) {
    history.replaceState(null, "", location.pathname + location.search.replace(/([?&])m=[^&]*&?/, "$1").replace(/[?&]$/, ""));
  }
  setInterval(function () {
    var lost = document.getElementById("lost");
    if (lost && polling !== "ended" && Date.now() - heard > SILENCE_MS) { lost.hidden = false; }
  }, 5000);

  apply();
  if (panel() && panel().getAttribute("data-state") === "expired") { ended(); }
  else if (window.EventSource) { if (document.hidden) { fallBack(); } else { listen(); } }
  else if (window.fetch) { fallBack(); }
  else { setTimeout(function () { location.reload(); }, RELOAD_MS); }
}());
