/* Daily entry (/entri/, /kartu/entri/), and the card pages' small forms (their refused form
   carries data-entry-form, for the error summary's focus and links). Loaded as a static file:
   the Content-Security-Policy forbids inline scripts. The page works without it; it only saves
   keystrokes.

   - After a refused save, the focus goes to the summary of what stopped it (GOV.UK Design
     System's error summary), so a screen reader reads it and Tab reaches its links first; a
     link there puts the focus in the input it names (not every browser focuses the target of
     an in-page link) with its whole row, messages included, in view.
   - Enter moves down a column instead of submitting: in a count it goes to the next row's
     count (after the last one, to the save button), in a note to the next note. Shift+Enter
     goes back up. Tab keeps the page's own order (a row's link, count, note, then the next). */
(function () {
  "use strict";

  var form = document.querySelector("form[data-entry-form]");
  if (!form) {
    return;
  }
  var save = form.querySelector("[data-entry-save]");

  function focus(element) {
    if (!element) {
      return;
    }
    element.focus();
    if (typeof element.select === "function") {
      element.select();
    }
  }

  var summary = form.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }

  form.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    var input = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!input) {
      return;
    }
    event.preventDefault();
    // The whole row in view (its serial and its messages), then the caret in the input.
    (input.closest("tr") || input).scrollIntoView({ block: "center" });
    input.focus({ preventScroll: true });
  });

  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var name = event.target.getAttribute && event.target.getAttribute("data-entry-column");
    if (!name) {
      return;
    }
    event.preventDefault();
    var inputs = Array.prototype.slice.call(
      form.querySelectorAll('input[data-entry-column="' + name + '"]')
    );
    var index = inputs.indexOf(event.target);
    if (event.shiftKey) {
      focus(inputs[index - 1]);
    } else {
      focus(inputs[index + 1] || save);
    }
  });
})();
