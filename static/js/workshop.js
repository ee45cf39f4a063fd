// Inline editing of the workshop tables (see the cell template tag in audits/templatetags/workshop.py).
// Enter or leaving a changed field saves, Escape puts the saved text back, Tab moves on.
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

  document.addEventListener("keydown", function (event) {
    var field = cellField(event.target);
    if (!field) return;
    if (event.key === "Escape") {
      event.preventDefault();
      field.value = field.dataset.original;
      field.form.classList.remove("cell-dirty", "cell-unsaved");
    } else if (event.key === "Enter" && !event.shiftKey && field.tagName !== "SELECT") {
      event.preventDefault();
      save(field);
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

  // After adding a row, put the cursor back in the add form (its first field, or the one refused).
  document.addEventListener("htmx:afterSettle", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!source || !source.classList || !source.classList.contains("add-row")) return;
    var form = document.getElementById(source.id);
    var field = form && (form.querySelector("[aria-invalid=true]") || form.querySelector("input:not([type=hidden]), textarea, select"));
    if (field) field.focus();
  });
})();
