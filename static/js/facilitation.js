// The live workshop's bar: the countdown timer ticks between polls, and participants who chose
// to follow the facilitator are taken to the facilitator's step when it changes. The bar is
// morphed in place by the poll's answers (js/live.js); each swap settles, and this runs again.
// Also: the join link's Copy button, and the presenter view's address and buttons.
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

  // --- Copying the join link ---------------------------------------------------------------------

  function say(button, message) {
    var status = button.closest("p").querySelector(".copy-status");
    if (!status) return;
    status.textContent = message;
    clearTimeout(button.copyTimer);
    button.copyTimer = setTimeout(function () {
      status.textContent = "";
    }, 5000);
  }

  // Without the clipboard API (a page served over plain http, an older browser) the link is selected,
  // and copied with the old command where that still works; else the reader presses Ctrl+C.
  function copyByHand(field, button) {
    field.focus();
    field.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    say(button, copied ? button.dataset.copied : button.dataset.copyByHand);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    if (!navigator.clipboard || !window.isSecureContext) {
      copyByHand(field, button);
      return;
    }
    navigator.clipboard.writeText(field.value).then(
      function () {
        say(button, button.dataset.copied);
      },
      function () {
        copyByHand(field, button);
      }
    );
  });

  function showCopyButtons() {
    document.querySelectorAll("[data-copy][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  // --- The presenter view -------------------------------------------------------------------------

  function shownStep() {
    var shown = document.querySelector("#presenter-state [name=shown]");
    return shown ? shown.value : "";
  }

  // The address says the step on the screen, so that reloading the view keeps it there.
  function presenterAddress() {
    var step = shownStep();
    if (!step) return;
    var url = new URL(window.location.href);
    if (url.searchParams.get("step") === step) return;
    url.searchParams.set("step", step);
    window.history.replaceState(null, "", url);
  }

  // A join link that runs out while nobody changes anything leaves the screen by itself.
  function expireJoinLink() {
    var until = document.querySelector(".presenter-join time[datetime]");
    if (!until || new Date(until.getAttribute("datetime")) > new Date()) return;
    until.closest(".presenter-join").hidden = true;
    document.getElementById("workshop-main").classList.remove("presenter-with-qr");
  }

  // The presenter's ← → bring everyone to a step: show it as soon as the poll has it (even if the
  // facilitator was there already), and ask the poll now rather than in two seconds.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!event.detail.successful || !form.closest || !form.closest(".presenter-steps")) return;
    var shown = document.querySelector("#presenter-state [name=shown]");
    if (shown) shown.value = form.elements.step.value;
    var poll = document.getElementById("live-poll");
    if (poll) htmx.trigger(poll, "live-visible");
  });

  function refresh() {
    follow();
    tick();
    expireJoinLink();
    showCopyButtons();
    presenterAddress();
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var controls = document.getElementById("facilitate");
    if (controls && controlsOpen) controls.open = true;
    refresh();
  });

  refresh();
  setInterval(function () {
    tick();
    expireJoinLink();
  }, 1000);
})();
