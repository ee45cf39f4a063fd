// htmx's "morph" swap style, done by idiomorph (static/vendor/idiomorph-*.min.js): the element is
// updated in place instead of replaced, so whatever is unchanged keeps its state. Used by the live
// workshop's out-of-band swaps (hx-swap-oob="morph"); js/live.js says what must stay as it is.
//
// This is idiomorph's own htmx glue (dist/idiomorph-htmx.js) with one fix: upstream's isInlineSwap
// answers yes for every swap style, so with the extension on <body> htmx would append an
// hx-swap-oob="beforeend:…" element itself instead of its children (bigskysoftware/idiomorph#148).
// Only the two morph styles are offered: no "morph:{…}" config, which would need eval.
(function () {
  "use strict";
  var STYLES = { morph: "outerHTML", "morph:outerHTML": "outerHTML", "morph:innerHTML": "innerHTML" };

  htmx.defineExtension("morph", {
    isInlineSwap: function (swapStyle) {
      return STYLES[swapStyle] === "outerHTML";
    },
    handleSwap: function (swapStyle, target, fragment) {
      var morphStyle = STYLES[swapStyle];
      if (morphStyle) return Idiomorph.morph(target, fragment.children, { morphStyle: morphStyle });
    }
  });

  // Rows added since a page's version are appended to their table (hx-swap-oob="beforeend:#…"). One the
  // page has already — an answer is drawn as the audit is when it is drawn, which may be after the
  // version it brings the page to — is brought up to date where it is, never added twice.
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var fragment = event.detail.fragment;
    if (fragment.nodeType === Node.DOCUMENT_FRAGMENT_NODE || !fragment.hasChildNodes()) return;
    Array.prototype.slice.call(fragment.children).forEach(function (row) {
      var here = row.id && document.getElementById(row.id);
      if (!here) return;
      fragment.removeChild(row);
      Idiomorph.morph(here, row, { morphStyle: "outerHTML" });
      htmx.process(document.getElementById(row.id));
    });
    // Every row was one the page had: nothing is left to append. Left to swap, the emptied element would read
    // as a deletion (hx-swap-oob="delete" sends an empty one), and the table would go.
    if (!fragment.hasChildNodes()) event.detail.shouldSwap = false;
  });
})();
