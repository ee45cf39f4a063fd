// Times of day in the reader's own time zone: the server writes <time datetime="…" data-local-time>
// in its time zone with the zone's name ("22:01 UTC", audits/templatetags/local_time.py); this rewrites
// each in the browser's time zone, the way the browser's variant of the page's language writes times
// (en-GB 22:01, en-US 10:01 PM), with the weekday when it is not today. Again after each htmx swap.
(function () {
  "use strict";

  // Latin digits, as everywhere on the page (Persian digits come from the font, html.persian-digits).
  function locale() {
    var language = document.documentElement.lang || "en";
    var browser = navigator.language || "";
    return (browser.split("-")[0] === language ? browser : language) + "-u-nu-latn";
  }

  function localTimes() {
    var now = new Date();
    document.querySelectorAll("time[data-local-time]").forEach(function (element) {
      var when = new Date(element.getAttribute("datetime"));
      if (isNaN(when)) return;
      var options = { hour: "numeric", minute: "2-digit" };
      if (when.toDateString() !== now.toDateString()) options.weekday = "short";
      try {
        element.textContent = new Intl.DateTimeFormat(locale(), options).format(when);
      } catch (error) {
        return;  // no Intl: the server's text stays, with its zone
      }
    });
  }

  document.addEventListener("htmx:afterSettle", localTimes);
  localTimes();
})();
