/* Open repairs (/perbaikan/): a "select all" box over the ticked broken devices and the count
   on the ship button. The page works without it; loaded as a static file because the
   Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-ship-form]");
  if (!form) {
    return;
  }
  var all = document.querySelector("input[data-select-all]");
  var counter = form.querySelector("[data-selected-count]");

  function boxes() {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[type="checkbox"][name="device"][form="' + form.id + '"]')
    );
  }

  function update() {
    var list = boxes();
    var ticked = list.filter(function (box) {
      return box.checked;
    }).length;
    if (counter) {
      counter.textContent = ticked ? "(" + ticked + ")" : "";
    }
    if (all) {
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    }
  }

  if (all && boxes().length) {
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (box) {
        box.checked = all.checked;
      });
      update();
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "device") {
      update();
    }
  });
  update();
})();
