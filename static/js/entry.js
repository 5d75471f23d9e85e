/* Daily entry: Enter moves down a column instead of submitting, like Tab does for counts.
   Enter in a count goes to the next row's count (after the last one, to the save button);
   Enter in a note goes to the next note. Shift+Enter goes back up. Loaded as a static file:
   the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-entry-form]");
  if (!form) {
    return;
  }
  var save = form.querySelector("[data-entry-save]");

  function byTabIndex(a, b) {
    return a.tabIndex - b.tabIndex;
  }

  function column(name) {
    var inputs = form.querySelectorAll('input[data-entry-column="' + name + '"]');
    return Array.prototype.slice.call(inputs).sort(byTabIndex);
  }

  function focus(element) {
    if (!element) {
      return;
    }
    element.focus();
    if (typeof element.select === "function") {
      element.select();
    }
  }

  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var name = event.target.getAttribute && event.target.getAttribute("data-entry-column");
    if (!name) {
      return;
    }
    event.preventDefault();
    var inputs = column(name);
    var index = inputs.indexOf(event.target);
    if (event.shiftKey) {
      focus(inputs[index - 1]);
    } else {
      focus(inputs[index + 1] || save);
    }
  });
})();
