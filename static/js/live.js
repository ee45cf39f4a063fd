// Seeing each other (issue 12). htmx polls (templates/audits/live/poll.html) and swaps in what
// changed: rows and panels out of band, morphed in place by idiomorph (js/morph.js). This script
// does only what htmx cannot: it skips the poll in a hidden tab, and it keeps as it is whatever
// someone here is in the middle of — a cell being typed in, unsaved, saving or showing a conflict
// or an error; an add form with something typed in it; an open <details> — and, once they leave
// it, brings it up to date (or lets a row deleted meanwhile go).
(function () {
  "use strict";
  if (!window.htmx || !window.Idiomorph) return;
  var page = document.querySelector(".workshop");
  // The page gives its messages in its own language (data-message-*), as for workshop.js.
  var DELETED =
    (page && page.dataset.messageDeleted) || "Someone deleted this row. What you typed here is not saved.";
  // Fresh copies of kept cells (by form id), morphed in once the cell is left.
  var owed = new Map();

  // A poll's answer serves every page alike, so its forms carry no CSRF field (audits/live/answers.py):
  // htmx sends the page's token as a header, and a form posted without htmx gets it here.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (form.method !== "post" || form.querySelector("[name=csrfmiddlewaretoken]")) return;
      var token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"];
      if (!token) return;
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "csrfmiddlewaretoken";
      field.value = token;
      form.appendChild(field);
    },
    true
  );

  // A hidden tab does not poll; it polls as soon as it is shown again.
  var pollSent = 0;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.id !== "live-poll") return;
    if (document.hidden) event.preventDefault();
    else pollSent = Date.now();
  });
  // What this page's own requests swapped in (a saved cell, an added row) after the poll being answered
  // was sent is newer than that answer: it stays as it is (the next poll brings whatever came later).
  // So is what they swapped in shortly before: an answer shows the audit as it was when the first page
  // asked in its moment (the server's LIVE_ANSWER_SECONDS, half a second), which may be before this
  // page's own save.
  var MOMENT_MS = 1000;
  document.addEventListener("htmx:afterSwap", function (event) {
    var asked = event.detail.elt;
    if (asked.id === "live-poll") return;
    var now = Date.now();
    event.target.liveSwappedAt = now;
    // An outerHTML swap (a saved cell) puts a new element where the one that asked was: mark that one too.
    var fresh = asked.id && document.getElementById(asked.id);
    if (fresh) fresh.liveSwappedAt = now;
  });
  function newerHere(node) {
    // A section redrawn by a change made here (`own`, below) is newer than anything in it.
    return !own && node.liveSwappedAt >= pollSent - MOMENT_MS;
  }

  // A change made here (adding, deleting or moving a row) redraws its section, e.g. a metric's card after
  // adding a period: morphed in like a poll's answer, not replaced, so a cell refused, unsaved or being
  // typed in elsewhere in it stays as it is. `own` is the form that asked: it takes its fresh copy (an
  // emptied add form, or its errors), the field in it that has the focus too.
  var own = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var target = event.detail.target;
    own = null;
    if (!event.detail.shouldSwap || !source || source.id === "live-poll") return;
    if (!target || target === source || !target.matches || target.matches("form.cell")) return;
    if (!target.querySelector("form.cell, form.add-row")) return;
    event.detail.swapOverride = "morph";
    own = source;
    Idiomorph.defaults.ignoreActiveValue = false;
  });
  function swapped() {
    own = null;
    Idiomorph.defaults.ignoreActiveValue = true;
  }
  document.addEventListener("htmx:afterSwap", swapped);
  document.addEventListener("htmx:swapError", swapped);
  document.addEventListener("visibilitychange", function () {
    var poll = document.getElementById("live-poll");
    if (poll && !document.hidden) htmx.trigger(poll, "live-visible");
  });
  // A lost session answers the poll with the log-in page (a redirect): never swap that in.
  // Otherwise the page stays where it is on the screen, and so does the field being typed in.
  var place = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.elt.id !== "live-poll") return;
    var xhr = event.detail.xhr;
    if (xhr.responseURL && xhr.responseURL.indexOf("/changes/") < 0) {
      event.detail.shouldSwap = false;
      return;
    }
    var active = document.activeElement;
    var top = active && active !== document.body ? active.getBoundingClientRect().top : null;
    place = { x: window.scrollX, y: window.scrollY, active: active, top: top };
  });
  // Put back at the swap and again once it settled (the browser's scroll anchoring may move it in between).
  function stay(event) {
    if (event.detail.elt.id !== "live-poll" || !place) return;
    window.scrollTo(place.x, place.y);
    var active = place.active;
    if (place.top !== null && place.top >= 0 && place.top < window.innerHeight && active.isConnected) {
      window.scrollBy(0, active.getBoundingClientRect().top - place.top);
    }
    if (event.type === "htmx:afterSettle") place = null;
  }
  document.addEventListener("htmx:afterSwap", stay);
  document.addEventListener("htmx:afterSettle", stay);

  function inUse(form) {
    if (form.contains(document.activeElement)) return true;
    if (form.matches(".cell-dirty, .cell-unsaved, .cell-saving, .htmx-request")) return true;
    if (form.querySelector(".cell-error, [aria-invalid=true]")) return true;
    return form.classList.contains("add-row") && typedIn(form);
  }

  // An add form whose fields differ from what the page gave them has something typed in it.
  function typedIn(form) {
    return Array.prototype.some.call(form.elements, function (field) {
      if (!field.name || field.type === "hidden") return false;
      if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
      if (field.tagName === "SELECT") {
        return Array.prototype.some.call(field.options, function (option) {
          return option.selected !== option.defaultSelected;
        });
      }
      return field.value !== field.defaultValue;
    });
  }

  function original(form) {
    var field = form.querySelector("[name=value]");
    return field && field.getAttribute("data-original");
  }

  function keptForm(node) {
    if (node.nodeType !== Node.ELEMENT_NODE) return null;
    if (node.matches("form.cell, form.add-row")) return inUse(node) ? node : null;
    var forms = node.querySelectorAll("form.cell, form.add-row");
    for (var i = 0; i < forms.length; i++) if (inUse(forms[i])) return forms[i];
    return null;
  }

  // `row` (a table row, a team, a metric) is gone for everyone else; it stays here while `form` is in use.
  function markDeleted(row, form) {
    if (row.classList.contains("row-deleted")) return;
    row.classList.add("row-deleted");
    var note = document.createElement("p");
    note.className = "cell-status row-deleted-note";
    note.setAttribute("role", "status");
    note.textContent = DELETED;
    // Beside the cell in a table row; at the top of a block (a team, a metric).
    if (row.tagName === "TR") form.after(note);
    else row.prepend(note);
  }

  var callbacks = Idiomorph.defaults.callbacks;
  callbacks.beforeNodeMorphed = function (node, fresh) {
    if (newerHere(node)) return false;
    if (node.nodeType !== Node.ELEMENT_NODE || !node.matches("form.cell, form.add-row")) return true;
    if (node === own) return true;
    if (inUse(node)) {
      if (node.classList.contains("cell")) owed.set(node.id, fresh.cloneNode(true));
      return false;
    }
    // A cell saved here goes on saying so (cell-saved) until someone else changes its text.
    return !(node.classList.contains("cell-saved") && original(node) === original(fresh));
  };
  callbacks.beforeNodeRemoved = function (node) {
    if (newerHere(node)) return false;
    // A row deleted here goes, whatever was typed in it.
    if (own && node.nodeType === Node.ELEMENT_NODE && node.contains(own)) return true;
    var form = keptForm(node);
    if (!form) return true;
    markDeleted(node, form);
    return false;
  };
  // An open <details> stays open (and a closed one closed): that is the reader's choice.
  callbacks.beforeAttributeUpdated = function (name, element) {
    return !(name === "open" && element.tagName === "DETAILS");
  };
  // The focused field keeps what is typed in it, wherever it is (the facilitator's minutes, …); but see `own`.
  Idiomorph.defaults.ignoreActiveValue = true;

  // A deleted row (hx-swap-oob="delete") that someone is typing in stays, marked, until they leave it.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var fragment = event.detail.fragment;
    if (!event.detail.shouldSwap) return; // handled already (js/morph.js: rows the page had, brought up to date)
    if (fragment.nodeType === Node.DOCUMENT_FRAGMENT_NODE || fragment.hasChildNodes()) return;
    var form = keptForm(event.detail.target);
    if (!form) return;
    event.detail.shouldSwap = false;
    markDeleted(event.detail.target, form);
  });

  // Once a kept cell is left (or its save is done), it takes what it missed; a deleted row goes.
  function catchUp() {
    owed.forEach(function (fresh, id) {
      var form = document.getElementById(id);
      if (!form) owed.delete(id);
      else if (!inUse(form)) {
        owed.delete(id);
        Idiomorph.morph(form, fresh);
        htmx.process(form);
      }
    });
    document.querySelectorAll(".row-deleted").forEach(function (row) {
      if (!keptForm(row)) row.remove();
    });
  }
  document.addEventListener("focusout", function () {
    setTimeout(catchUp, 0);
  });
  document.addEventListener("keyup", function (event) {
    if (event.key === "Escape") catchUp();
  });
  // A cell's own save answers with the cell as saved: what it missed before is older than that.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.elt;
    if (form.matches && form.matches("form.cell")) owed.delete(form.id);
  });
  document.addEventListener("htmx:afterSettle", function () {
    setTimeout(catchUp, 0);
  });
})();
