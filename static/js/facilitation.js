// The live workshop's bar: the countdown timer ticks between polls, and participants who chose
// to follow the facilitator are taken to the facilitator's step when it changes. The bar is
// morphed in place by the poll's answers (js/live.js); each swap settles, and this runs again.
(function () {
  "use strict";

  var workshop = document.querySelector(".workshop[data-audit]");
  if (!workshop) return;
  var followKey = "follow-facilitator-" + workshop.dataset.audit;

  function clock(seconds) {
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = seconds % 60;
    var mm = hours ? (minutes < 10 ? "0" : "") + minutes : String(minutes);
    return (hours ? hours + ":" : "") + mm + ":" + (rest < 10 ? "0" : "") + rest;
  }

  // Each timer element carries the seconds left when the server drew it; count down from there.
  function tick() {
    var timers = document.querySelectorAll(".timer[data-seconds-left]");
    for (var i = 0; i < timers.length; i++) {
      var timer = timers[i];
      if (!timer.dataset.deadline) {
        timer.dataset.deadline = String(Date.now() + Number(timer.dataset.secondsLeft) * 1000);
      }
      var left = Number(timer.dataset.secondsLeft);
      if (timer.hasAttribute("data-running")) {
        left = Math.max(0, Math.round((Number(timer.dataset.deadline) - Date.now()) / 1000));
      }
      var shown = timer.querySelector(".timer-clock");
      if (shown) shown.textContent = clock(left);
      timer.classList.toggle("timer-done", left === 0);
    }
  }

  function following() {
    try {
      return window.localStorage.getItem(followKey) === "1";
    } catch (error) {
      return false;
    }
  }

  function busyTyping() {
    return document.querySelector(".cell-dirty, .cell-unsaved") !== null;
  }

  function follow() {
    var bar = document.getElementById("panel-session");
    if (!bar) return;
    var toggle = bar.querySelector("[data-follow]");
    if (toggle) {
      toggle.closest("label").hidden = false;
      toggle.checked = following();
    }
    var target = bar.dataset.facilitatorStepUrl;
    if (target && following() && target !== window.location.pathname && !busyTyping()) {
      window.location.assign(target);
    }
  }

  document.addEventListener("change", function (event) {
    if (!event.target.matches("[data-follow]")) return;
    try {
      window.localStorage.setItem(followKey, event.target.checked ? "1" : "0");
    } catch (error) {
      return;
    }
    follow();
  });

  // The facilitator's controls stay open while the bar redraws around them.
  var controlsOpen = false;
  document.addEventListener(
    "toggle",
    function (event) {
      if (event.target.id === "facilitate") controlsOpen = event.target.open;
    },
    true
  );

  document.addEventListener("htmx:afterSettle", function (event) {
    var controls = document.getElementById("facilitate");
    if (controls && controlsOpen) controls.open = true;
    follow();
    tick();
  });

  follow();
  tick();
  setInterval(tick, 1000);
})();
