// Inline editing of the workshop tables (see the cell template tag in audits/templatetags/cells.py).
// Enter or leaving a changed field saves, Escape puts the saved text back, Tab moves on.
// The arrow keys and Enter move between cells as in a spreadsheet (see "Moving between cells" below).
// A save that fails for network reasons is retried; the cell says it is unsaved until it is.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var RETRY_MS = 3000;

  function cellField(element) {
    return element && element.closest ? element.closest("form.cell [name=value]") : null;
  }

  function save(field) {
    var form = field.form;
    if (!form || !form.isConnected || form.dataset.saving) return;
    if (field.value === field.dataset.original && !form.classList.contains("cell-unsaved")) return;
    form.dataset.saving = "1";
    form.classList.add("cell-saving");
    htmx.trigger(form, "cell-save");
  }

  // Escape: the saved text again, and nothing left of a refused or unsaved attempt (its colour, its message).
  function putBack(field) {
    var form = field.form;
    field.value = field.dataset.original;
    form.classList.remove("cell-dirty", "cell-unsaved", "cell-invalid");
    field.removeAttribute("aria-invalid");
    field.removeAttribute("aria-describedby");
    form.querySelectorAll(".cell-error, .cell-status").forEach(function (note) {
      note.remove();
    });
  }

  // Moving between cells. Up and Down go to the same column of the row before or after (rows with no
  // cell there are passed over); Left and Right to the cell before or after in the row, mirrored in
  // right-to-left pages. In text, Left and Right (and Up and Down in a box of several lines) first move
  // the caret as usual: only when the browser's own move leaves the caret where it was — at the start
  // or end of the text, or of its first or last line — does the key go on to the next cell. A date
  // keeps its arrows (they change the day, month or year), a select its Up and Down (they choose, and
  // a choice saves): Enter goes down from either.
  var ARROWS = { ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right" };

  function columnOf(cell) {
    var column = 0;
    for (var before = cell.previousElementSibling; before; before = before.previousElementSibling) {
      column += before.colSpan || 1;
    }
    return column;
  }

  function cellAt(row, column) {
    var start = 0;
    for (var i = 0; i < row.cells.length; i++) {
      var span = row.cells[i].colSpan || 1;
      if (column < start + span) return row.cells[i];
      start += span;
    }
    return null;
  }

  function fieldIn(element) {
    return element ? element.querySelector("form.cell [name=value]") : null;
  }

  function verticalNeighbour(field, step) {
    var cell = field.closest("td, th");
    var row = cell && cell.parentElement;
    var table = row && row.closest("table");
    if (!table) return null;
    var rows = Array.prototype.slice.call(table.rows);
    var column = columnOf(cell);
    for (var i = rows.indexOf(row) + step; i >= 0 && i < rows.length; i += step) {
      var found = fieldIn(cellAt(rows[i], column));
      if (found) return found;
    }
    return null;
  }

  function rowNeighbour(field, step) {
    var row = field.closest("tr");
    if (!row) return null;
    var fields = Array.prototype.slice.call(row.querySelectorAll("form.cell [name=value]"));
    return fields[fields.indexOf(field) + step] || null;
  }

  // Along the row: +1 is the next cell (to the right, or to the left in a right-to-left page), -1 the one before.
  function along(field, direction) {
    if (direction !== "left" && direction !== "right") return 0;
    var rightToLeft = getComputedStyle(field).direction === "rtl";
    return (direction === "right") !== rightToLeft ? 1 : -1;
  }

  function neighbour(field, direction) {
    if (direction === "up") return verticalNeighbour(field, -1);
    if (direction === "down") return verticalNeighbour(field, 1);
    return rowNeighbour(field, along(field, direction));
  }

  // Arriving along the row, the caret waits at the far side (one more press goes on). Arriving from above
  // or below, as with Tab, a short field's text is selected (typing replaces it); a long text keeps it,
  // the caret at its end.
  function enter(field, step) {
    field.focus();
    if (field.tagName !== "TEXTAREA" && field.type !== "text") return; // a select, a date
    var end = field.value.length;
    if (step) field.setSelectionRange(step > 0 ? end : 0, step > 0 ? end : 0);
    else if (field.tagName === "TEXTAREA") field.setSelectionRange(end, end);
    else field.select();
  }

  function move(field, direction) {
    var next = neighbour(field, direction);
    if (next) enter(next, along(field, direction));
    return !!next;
  }

  function caret(field) {
    return field.selectionStart + ":" + field.selectionEnd;
  }

  // A field showing one line of text, which Up and Down leave at once.
  function oneLine(field) {
    if (field.tagName !== "TEXTAREA") return true;
    var style = getComputedStyle(field);
    var text = field.scrollHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    return text < 2 * parseFloat(style.lineHeight);
  }

  function arrow(event, field, direction) {
    var vertical = direction === "up" || direction === "down";
    if (field.type === "date" || (vertical && field.tagName === "SELECT")) return;
    if (field.tagName === "SELECT" || (vertical && oneLine(field))) {
      if (move(field, direction)) event.preventDefault();
      return;
    }
    var before = caret(field);
    setTimeout(function () {
      if (document.activeElement === field && caret(field) === before) move(field, direction);
    }, 0);
  }

  document.addEventListener("keydown", function (event) {
    // An input method composing a word (Vietnamese, Persian, …) has its own use for these keys.
    if (event.isComposing || event.keyCode === 229) return;
    var field = cellField(event.target);
    if (!field) return;
    if (event.key === "Escape") {
      event.preventDefault();
      putBack(field);
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Enter") {
      // Shift+Enter is a new line in a long text; elsewhere it goes up, as Enter goes down.
      if (event.shiftKey && field.tagName === "TEXTAREA") return;
      event.preventDefault();
      save(field);
      move(field, event.shiftKey ? "up" : "down");
    } else if (ARROWS[event.key] && !event.shiftKey) {
      arrow(event, field, ARROWS[event.key]);
    }
  });

  document.addEventListener("change", function (event) {
    var field = cellField(event.target);
    if (field) save(field);
  });

  document.addEventListener("input", function (event) {
    var field = cellField(event.target);
    if (field) field.form.classList.toggle("cell-dirty", field.value !== field.dataset.original);
  });

  // The page gives the messages in its own language (data-message-* on .workshop); English otherwise.
  var page = document.querySelector(".workshop") || document.body;
  function message(name, english) {
    return page.dataset["message" + name] || english;
  }

  function unsaved(form, message) {
    delete form.dataset.saving;
    form.classList.remove("cell-saving");
    form.classList.add("cell-unsaved");
    var note = form.querySelector(".cell-status");
    if (!note) {
      note = document.createElement("p");
      note.className = "cell-status";
      note.setAttribute("role", "status");
      form.appendChild(note);
    }
    note.textContent = message;
  }

  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form.cell")) return;
    unsaved(form, message("Offline", "Not saved yet: no connection. Retrying…"));
    setTimeout(function () {
      var field = form.querySelector("[name=value]");
      if (field && form.isConnected) save(field);
    }, RETRY_MS);
  });

  document.addEventListener("htmx:responseError", function (event) {
    var form = event.detail.elt;
    var status = event.detail.xhr.status;
    var messages = {
      403: message("Forbidden", "Not saved: your role cannot edit this audit."),
      // live.js keeps a deleted row on the page while someone is still in it, so this can happen.
      404: message("Gone", "Not saved: this row no longer exists — someone deleted it."),
      423: message("Locked", "The facilitator has locked this step for now: your change was not saved.")
    };
    var text =
      messages[status] ||
      message("Failed", "Not saved: the server answered {status}. Press Enter to try again.").replace("{status}", status);
    if (form.matches && form.matches("form.cell")) {
      unsaved(form, text);
      return;
    }
    // Adding, deleting or moving a row: say it beside the workshop's tables.
    var alert = document.getElementById("action-error");
    if (alert) {
      alert.textContent = text;
      alert.hidden = false;
    }
  });

  // After adding a row, put the cursor back in the add form (its first field, or the one refused). At the
  // swap itself, in the same task: later (htmx settles 20 ms after), it would pull the cursor out of a cell
  // of the new row that someone already clicked into, and what they typed would go to the add form.
  document.addEventListener("htmx:afterSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!source || !source.classList || !source.classList.contains("add-row")) return;
    var form = document.getElementById(source.id);
    var field = form && (form.querySelector("[aria-invalid=true]") || form.querySelector("input:not([type=hidden]), textarea, select"));
    if (field) field.focus();
  });
})();
