// The ticket page, live: server-sent events replace the ticket's panel as the hub changes it;
// without them (an old browser, a proxy that buffers), the panel is fetched every 10 s; with
// no JavaScript at all, the page refreshes itself (a <noscript> meta refresh).
(function () {
  "use strict";
  var main = document.getElementById("ticket");
  if (!main) { return; }
  var POLL_MS = 10000;
  var alertKey = "lobby-alert:" + location.pathname;
  var last = { state: null, recalls: -1, alerted: false };
  var blink = null;
  var audio = null;

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
      if (near && !last.alerted) { vibrate([400, 150, 400]); beep(); }
      last.alerted = near;
    }
    last.state = state;
    last.recalls = recalls;
  }

  function show(html) {
    var open = main.querySelector("details[open]");  // a confirmation being read stays open
    main.innerHTML = html;
    if (open) { var again = main.querySelector("details"); if (again) { again.open = true; } }
    apply();
  }

  function expired() {
    var text = document.getElementById("expired-text");
    if (text) { show(text.innerHTML); }
  }

  function poll() {
    fetch(main.getAttribute("data-fragment"), { cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 404) { expired(); return null; }
        if (response.ok) { return response.text(); }
        return null;
      })
      .then(function (html) { if (html) { show(html); setTimeout(poll, POLL_MS); } })
      .catch(function () { setTimeout(poll, POLL_MS); });
  }

  function listen() {
    if (!window.EventSource) { setTimeout(poll, POLL_MS); return; }
    var source = new EventSource(main.getAttribute("data-events"));
    var failures = 0;
    source.addEventListener("ticket", function (event) {
      failures = 0;
      show(event.data);
      if (panel() && panel().getAttribute("data-state") === "expired") { source.close(); }
    });
    source.addEventListener("gone", function () { source.close(); expired(); });
    source.onerror = function () {
      failures += 1;
      // The browser retries by itself; after three failures in a row, polling takes over.
      if (failures >= 3 || source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(poll, POLL_MS);
      }
    };
  }

  main.addEventListener("change", function (event) {
    if (event.target.name !== "alert") { return; }
    if (!audio && window.AudioContext) { try { audio = new AudioContext(); } catch (e) { audio = null; } }
    if (event.target.value) { localStorage.setItem(alertKey, event.target.value); }
    else { localStorage.removeItem(alertKey); }
    last.alerted = false;
    apply();
  });
  document.addEventListener("click", function () {
    if (!audio && window.AudioContext) { try { audio = new AudioContext(); } catch (e) { audio = null; } }
  }, { once: true });

  apply();
  listen();
}());
