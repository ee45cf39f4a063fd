// Seeing each other: a workshop page asks every few seconds whether its audit changed (see
// audits/views/live.py). When it did, it fires "audit-changed" so the panels redraw themselves,
// and it redraws the tables from a fresh copy of the page, around whatever someone here is in
// the middle of (see "Redrawing the tables" below).
(function () {
  "use strict";
  var EVERY_MS = 2000;
  var AFTER_ERROR_MS = 10000;
  var WHILE_BUSY_MS = 250;

  var workshop = document.querySelector("[data-changes-url][data-version]");
  if (!workshop || !window.fetch) return;
  // The page gives its messages in its own language (data-message-*), as for workshop.js.
  var DELETED =
    workshop.dataset.messageDeleted || "Someone deleted this row. What you typed here is not saved.";
  var main = workshop.querySelector(".workshop-main");
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
    if (main) redraw();
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

  // Redrawing the tables. The page is fetched again and its .workshop-main merged into this
  // one. What someone is in the middle of (keptNodes) stays as it is, and so do its ancestors:
  // they take the fresh attributes and children around it but are never taken out of the page,
  // so the field being typed in keeps its focus, caret and input-method composition, and no
  // alert in it is announced again. Everything else is replaced by its fresh copy.
  if (!main) return;
  var fetching = false;
  var wanted = false;
  var waiting = null;
  var requests = 0;
  // Set when a kept cell shows an outdated value (or its row is gone): redraw once it is left.
  var owed = false;

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (main.contains(event.target)) requests++;
  });

  main.addEventListener("focusout", function () {
    if (owed) setTimeout(redraw, 0);
  });

  function redraw() {
    wanted = true;
    if (fetching) return;
    // A request of this page's own answers with its own redraw, and a copy fetched while it runs
    // may not show it yet: wait for it.
    if (main.querySelector(".htmx-request")) {
      clearTimeout(waiting);
      waiting = setTimeout(redraw, WHILE_BUSY_MS);
      return;
    }
    wanted = false;
    fetching = true;
    var before = requests;
    fetch(location.href, {
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error",
      // Lets the server tell this from a page load (it could answer with less).
      headers: { "X-Live-Refresh": "1" }
    })
      .then(function (response) {
        if (!response.ok) throw new Error("page: " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".workshop-main");
        if (requests !== before) wanted = true;
        else if (fresh) merge(fresh);
      })
      .catch(function () {
        // The next change redraws.
      })
      .finally(function () {
        fetching = false;
        if (wanted) redraw();
      });
  }

  function merge(fresh) {
    var active = main.contains(document.activeElement) ? document.activeElement : null;
    var start = active && active.selectionStart;
    var end = active && active.selectionEnd;
    var top = active && active.getBoundingClientRect().top;
    var x = window.scrollX;
    var y = window.scrollY;

    var kept = keptNodes(fresh);
    var twins = new Map(); // fresh node → the node of this page that takes its place
    var paired = new Map(); // and back
    owed = false;
    kept.forEach(function (twin, node) {
      var field = node.querySelector("form.cell [name=value]");
      var theirs = twin.querySelector("form.cell [name=value]");
      if (field && (!theirs || theirs.dataset.original !== field.dataset.original)) owed = true;
      // Where the two trees differ on the way up, the node is moved in instead: focus is put back below.
      if (!pair(node, twin, fresh, twins, paired)) twin.replaceWith(node);
    });
    adopt(main, fresh, twins, kept);
    htmx.process(main);

    window.scrollTo(x, y);
    if (!active || !active.isConnected) return;
    if (document.activeElement !== active) {
      active.focus({ preventScroll: true });
      if (typeof start === "number") active.setSelectionRange(start, end);
    }
    // The field being typed in stays where it was on the screen.
    if (top >= 0 && top < window.innerHeight) window.scrollBy(0, active.getBoundingClientRect().top - top);
  }

  // What stays as it is, each with its twin in the fresh copy (where it goes): a cell being
  // typed in, saving, unsaved or showing a conflict or an error; an add-row form with something
  // typed in it; an open <details>; and whatever has the focus.
  function keptNodes(fresh) {
    var kept = new Map();

    function keep(node, twin, typed) {
      var typedIn = node;
      // Its row is gone from the fresh copy (someone deleted it): the whole row stays, marked.
      var gone = !twin && typed;
      if (gone) node = rowOf(node, fresh);
      if (!node || overlaps(node)) return;
      if (gone) twin = standIn(node, fresh);
      if (!twin) return;
      if (gone) markDeleted(node, typedIn);
      kept.set(node, twin);
    }

    function overlaps(node) {
      var found = false;
      kept.forEach(function (twin, other) {
        found = found || other.contains(node) || node.contains(other);
      });
      return found;
    }

    main.querySelectorAll("form.cell, form.add-row").forEach(function (form) {
      var twin = byId(fresh, form.id);
      if (inUse(form, twin)) keep(form, twin, true);
    });
    main.querySelectorAll("details[open]").forEach(function (details) {
      var twin = twinOf(details, fresh);
      if (twin) twin.open = true; // stays open even where it is not kept (around a kept cell)
      keep(details, twin, false);
    });
    var active = document.activeElement;
    if (main.contains(active)) {
      var node = active.closest("form") || active;
      keep(node, twinOf(node, fresh), false);
    }
    return kept;
  }

  function inUse(form, twin) {
    if (form.contains(document.activeElement)) return true;
    if (form.matches(".cell-dirty, .cell-unsaved, .cell-saving, .htmx-request")) return true;
    if (form.querySelector(".cell-error, [aria-invalid=true]")) return true;
    // An add-row form whose fields differ from the fresh (empty) one has something typed in it.
    return (
      form.classList.contains("add-row") &&
      Array.prototype.some.call(form.elements, function (field) {
        if (!field.name || field.type === "hidden") return false;
        var theirs = twin && twin.elements.namedItem(field.name);
        return Boolean(theirs) && (theirs.value !== field.value || theirs.checked !== field.checked);
      })
    );
  }

  // The element of the fresh copy that stands where `node` stands here: the one with its id, or
  // found through the first element with an id inside it (a table row by its first cell), or
  // else the one at its place among its parent's children.
  function twinOf(node, fresh) {
    if (node === main) return fresh;
    var inner = node.id ? node : node.querySelector("[id]");
    if (!inner) return atPlace(node, twinOf(node.parentElement, fresh));
    var twin = byId(fresh, inner.id);
    for (var up = inner; twin && up !== node; up = up.parentElement) twin = twin.parentElement;
    return twin && twin !== fresh && fresh.contains(twin) && twin.tagName === node.tagName ? twin : null;
  }

  // The same, by place alone up to the nearest element with an id (for a parent whose ids are gone).
  function byPlace(node, fresh) {
    if (node === main) return fresh;
    if (node.id) return byId(fresh, node.id);
    return atPlace(node, byPlace(node.parentElement, fresh));
  }

  function byId(fresh, id) {
    var found = fresh.ownerDocument.getElementById(id);
    return found && fresh.contains(found) ? found : null;
  }

  function atPlace(node, parent) {
    function sameTag(element) {
      return element.tagName === node.tagName;
    }
    if (!parent) return null;
    var index = Array.prototype.filter.call(node.parentElement.children, sameTag).indexOf(node);
    return Array.prototype.filter.call(parent.children, sameTag)[index] || null;
  }

  // The row a node sits in: its table row, or the nearest block with an id (a team, a metric);
  // none if that row is still in the fresh copy (the node went for another reason).
  function rowOf(node, fresh) {
    var row = node.parentElement.closest("tr, [id]");
    return row && row !== main && main.contains(row) && !twinOf(row, fresh) ? row : null;
  }

  // A stand-in for a row gone from the fresh copy, where the row stood: after the row before it,
  // or before the row after it, or at the end of its table.
  function standIn(row, fresh) {
    var mark = row.cloneNode(false);
    var sibling, twin;
    for (sibling = row.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
      twin = twinOf(sibling, fresh);
      if (twin) {
        twin.after(mark);
        return mark;
      }
    }
    for (sibling = row.nextElementSibling; sibling; sibling = sibling.nextElementSibling) {
      twin = twinOf(sibling, fresh);
      if (twin) {
        twin.before(mark);
        return mark;
      }
    }
    twin = byPlace(row.parentElement, fresh);
    if (twin) twin.append(mark);
    return twin && mark;
  }

  function markDeleted(row, typedIn) {
    if (row.classList.contains("row-deleted")) return;
    row.classList.add("row-deleted");
    var note = document.createElement("p");
    note.className = "cell-status row-deleted-note";
    note.setAttribute("role", "status");
    note.textContent = DELETED;
    // Beside the cell in a table row; at the top of a block (a team, a metric).
    if (row.tagName === "TR") typedIn.after(note);
    else row.prepend(note);
  }

  // Pair a kept node and its ancestors with their twins, up to .workshop-main; false where the
  // two trees differ on the way, or an ancestor is already paired with another.
  function pair(node, twin, fresh, twins, paired) {
    var pairs = [];
    var here = node;
    var there = twin;
    for (; here !== main; here = here.parentElement, there = there.parentElement) {
      if (!there || there === fresh || here.tagName !== there.tagName) return false;
      if ((twins.get(there) || here) !== here || (paired.get(here) || there) !== there) return false;
      pairs.push([here, there]);
    }
    if (there !== fresh) return false;
    pairs.forEach(function (pair) {
      twins.set(pair[1], pair[0]);
      paired.set(pair[0], pair[1]);
    });
    return true;
  }

  // `here` stays in the page and takes the attributes and children of `there`, its fresh twin;
  // its paired children are merged the same way (kept ones are left as they are), in place.
  function adopt(here, there, twins, kept) {
    if (kept.has(here)) return;
    Array.prototype.slice.call(here.attributes).forEach(function (attribute) {
      if (!there.hasAttribute(attribute.name)) here.removeAttribute(attribute.name);
    });
    Array.prototype.forEach.call(there.attributes, function (attribute) {
      if (here.getAttribute(attribute.name) !== attribute.value) here.setAttribute(attribute.name, attribute.value);
    });
    var children = Array.prototype.map.call(there.childNodes, function (child) {
      var mine = twins.get(child);
      if (!mine) return child;
      adopt(mine, child, twins, kept);
      return mine;
    });
    var staying = new Set(children);
    Array.prototype.slice.call(here.childNodes).forEach(function (child) {
      if (!staying.has(child)) here.removeChild(child);
    });
    // New nodes go in around the staying ones, which do not move (unless their order changed).
    var next = here.firstChild;
    children.forEach(function (child) {
      if (child === next) next = next.nextSibling;
      else here.insertBefore(child, next);
    });
  }
})();
