// Seeing each other: a workshop page asks every few seconds whether its audit changed (see
// audits/views/live.py) and, when it did, fires "audit-changed" so the panels redraw themselves.
// The tables are left alone: redrawing them could disturb a cell someone is typing in.
(function () {
  "use strict";
  var EVERY_MS = 2000;
  var AFTER_ERROR_MS = 10000;

  var workshop = document.querySelector("[data-changes-url][data-version]");
  if (!workshop || !window.fetch) return;
  var url = workshop.dataset.changesUrl;
  var version = workshop.dataset.version;
  var timer = null;
  var asking = false;

  function later(delay) {
    clearTimeout(timer);
    timer = setTimeout(ask, delay);
  }

  function changed(answer) {
    if (String(answer.version) === version) return;
    version = String(answer.version);
    htmx.trigger(document.body, "audit-changed");
  }

  function ask() {
    // A hidden tab does not ask; it asks again as soon as it is shown.
    if (document.hidden || asking) return;
    asking = true;
    fetch(url + "?since=" + encodeURIComponent(version), {
      credentials: "same-origin",
      cache: "no-store",
      // A lost session is answered with a redirect to the log-in page: an error here, not a page.
      redirect: "error",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (response.status === 204) return null;
        if (!response.ok) throw new Error("changes: " + response.status);
        return response.json();
      })
      .then(function (answer) {
        if (answer) changed(answer);
        later(EVERY_MS);
      })
      .catch(function () {
        later(AFTER_ERROR_MS);
      })
      .finally(function () {
        asking = false;
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) later(0);
  });

  later(EVERY_MS);
})();
