/* Wide tables (.table-scroll.bounded): a table wider than its box marks the box .overflowing,
   and app.css then keeps the box no taller than the window, so its horizontal scroll bar is on
   screen whenever its top is. A table that fits keeps the page's own scrolling (no scroll box
   inside the page). Loaded as a static file: the Content-Security-Policy forbids inline
   scripts. Without it the table still scrolls sideways in its box. */
(function () {
  "use strict";

  var boxes = Array.prototype.slice.call(document.querySelectorAll(".table-scroll.bounded"));
  if (!boxes.length) {
    return;
  }

  function mark() {
    boxes.forEach(function (box) {
      box.classList.toggle("overflowing", box.scrollWidth > box.clientWidth + 1);
    });
  }

  mark();
  window.addEventListener("resize", mark);
})();
