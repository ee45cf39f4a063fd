// Pasting a block of cells from a spreadsheet into a workshop table (audits/reports/imports/paste.py does the work).
// Excel, LibreOffice and Google Sheets copy a block as text: cells separated by tabs, one row a line.
// Pasted into a cell (or an add-row form's field), a block is posted with the rows the table shows and
// the text of their cells; the server fills the table from that cell rightwards and downwards, adding
// rows as needed, all of it or nothing. It answers with the page's main area, morphed in as the live
// poll does (js/morph.js), or with the reasons nothing was saved, which go beside the table. A single
// value pastes into the field as usual.
(function () {
  "use strict";
  if (!window.htmx) return;
  // The tables audits/reports/imports/paste.py fills (PASTEABLE).
  var TABLES = ["strategy", "reading", "force", "friction", "assessment", "review"];
  var CELL_URL = /\/rows\/([a-z]+)\/(\d+)\/$/;
  var ADD_FORM = /^add-([a-z]+)(?:-(\d+))?$/;
  var GROUPED = /^rows-(?:reading|force)-(\d+)$/;
  var page = document.querySelector(".workshop") || document.body;
  var pasting = null; // the paste being sent, then the last one: where its report goes

  function cellStart(field) {
    var form = field.closest("form.cell");
    var match = form && field.name === "value" && CELL_URL.exec(form.getAttribute("action") || "");
    if (!match || TABLES.indexOf(match[1]) < 0) return null;
    var body = form.closest("tbody");
    var group = body && GROUPED.exec(body.id);
    return {
      kind: match[1],
      field: form.elements.field.value,
      row: match[2],
      group: group ? group[1] : "",
      url: form.getAttribute("action").replace(/\d+\/$/, "paste/"),
      element: field,
      fieldId: field.id,
      bodyId: body && body.id
    };
  }

  // An add-row form's field (id add-<kind> or add-<kind>-<group>, fields named <kind>[-<group>]-<field>).
  function addStart(field) {
    var form = field.closest("form.add-row");
    var match = form && ADD_FORM.exec(form.id);
    if (!match || TABLES.indexOf(match[1]) < 0) return null;
    var key = form.id.slice("add-".length);
    if (field.name.indexOf(key + "-") !== 0) return null;
    return {
      kind: match[1],
      field: field.name.slice(key.length + 1),
      row: "",
      group: match[2] || "",
      url: form.getAttribute("action").replace(/add\/$/, "paste/"),
      element: field,
      fieldId: field.id,
      bodyId: "rows-" + key
    };
  }

  // The rows of the table as this page shows them, in order, each with the text of its cells.
  function shownRows(start) {
    var body = start.bodyId ? document.getElementById(start.bodyId) : null;
    if (!body) body = start.element.closest("tbody");
    var rows = [];
    if (!body) return rows;
    Array.prototype.forEach.call(body.rows, function (tr) {
      if (tr.classList.contains("row-deleted")) return; // gone for everyone else (js/live.js)
      var row = null;
      tr.querySelectorAll("form.cell").forEach(function (form) {
        var match = CELL_URL.exec(form.getAttribute("action") || "");
        if (!match || match[1] !== start.kind) return;
        row = row || { id: Number(match[2]), cells: {} };
        row.cells[form.elements.field.value] = form.elements.original.value;
      });
      if (row) rows.push(row);
    });
    return rows;
  }

  // The table the block goes into (found again after a redraw), or the field itself when there is none.
  function anchorOf(start) {
    var field = document.getElementById(start.fieldId) || start.element;
    var body = start.bodyId && document.getElementById(start.bodyId);
    return (body && body.closest("table")) || (field && (field.closest("table") || field.closest("form")));
  }

  function report(start) {
    var old = document.getElementById("paste-report");
    if (old) old.remove();
    var anchor = anchorOf(start);
    if (!anchor) return null;
    var element = document.createElement("div");
    element.id = "paste-report";
    element.className = "paste-report";
    element.hidden = true;
    anchor.before(element);
    return element;
  }

  function say(start, text, role) {
    var element = report(start);
    if (!element) return;
    element.classList.add(role === "alert" ? "paste-refused" : "paste-done");
    element.setAttribute("role", role);
    element.hidden = false;
    // Filled once it is in the page, so that screen readers announce it.
    setTimeout(function () {
      element.textContent = text;
    }, 50);
  }

  function stepKey() {
    var poll = document.getElementById("live-poll");
    if (!poll) return "";
    return new URL(poll.getAttribute("hx-get"), window.location.href).searchParams.get("step") || "";
  }

  function csrfHeaders() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    } catch (error) {
      return {};
    }
  }

  function send(start, text) {
    pasting = start;
    report(start);
    var table = anchorOf(start);
    if (table) table.setAttribute("aria-busy", "true");
    // Left while the answer comes: js/live.js keeps a focused cell as it is, and this one is being filled.
    start.element.blur();
    var done = function () {
      start.sent = false;
      var anchor = anchorOf(start);
      if (anchor) anchor.removeAttribute("aria-busy");
      var refused = document.getElementById("paste-report");
      if (refused && !refused.hidden) refused.scrollIntoView({ block: "nearest" });
      // The field again (a redraw keeps its id): the next block can be pasted right away.
      var field = document.getElementById(start.fieldId) || start.element;
      if (field.isConnected) field.focus({ preventScroll: Boolean(refused && !refused.hidden) });
    };
    start.sent = true;
    htmx
      .ajax("POST", start.url, {
        source: document.body,
        target: "#workshop-main",
        swap: "morph",
        headers: csrfHeaders(),
        values: {
          text: text,
          field: start.field,
          row: start.row,
          group: start.group,
          rows: JSON.stringify(shownRows(start)),
          step: stepKey()
        }
      })
      .catch(function () {
        say(start, page.dataset.messagePasteOffline || "Not pasted: no connection. Paste again once it is back.", "alert");
      })
      .then(done);
  }

  document.addEventListener("paste", function (event) {
    var field = event.target;
    if (!field.closest || !(field.tagName === "INPUT" || field.tagName === "TEXTAREA")) return;
    var start = cellStart(field) || addStart(field);
    var text = event.clipboardData && event.clipboardData.getData("text/plain");
    if (!start || !text) return;
    // A spreadsheet ends even a single cell with a line break: without it, it is a value like any other.
    var single = text.replace(/\r?\n$/, "");
    if (!/[\t\r\n]/.test(single)) {
      if (single !== text && field.tagName === "TEXTAREA") {
        event.preventDefault();
        field.setRangeText(single, field.selectionStart, field.selectionEnd, "end");
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }
      return;
    }
    event.preventDefault();
    if (pasting && pasting.sent) return; // one block at a time
    send(start, text);
  });

  // The answer's HX-Trigger-After-Settle: how it went, beside the redrawn table.
  document.body.addEventListener("rows-pasted", function (event) {
    if (pasting) say(pasting, event.detail.message, "status");
  });
})();
