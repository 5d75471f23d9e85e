/* An upload's page while its file is read, checked or saved in the background: asks the
   status address every second, moves the progress bar and the spoken text, and reloads the
   page once the work is done. Without it the page reloads itself (a <noscript> refresh) and
   has a "Muat ulang" link. A static file: the Content-Security-Policy forbids inline scripts. */
(function () {
  "use strict";

  var box = document.querySelector("[data-import-progress]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var label = document.querySelector("[data-progress-label]");
  var delay = 1000;
  var failures = 0;

  function show(state) {
    if (state.percent === null || state.percent === undefined) {
      bar.removeAttribute("value"); // indeterminate: a step whose progress cannot be seen
    } else {
      bar.value = state.percent;
    }
    bar.textContent = state.message;
    if (label) {
      label.textContent = state.label;
    }
    // Only a changed text is announced again by screen readers.
    if (text.textContent !== state.message) {
      text.textContent = state.message;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        show(state);
        if (state.reload) {
          window.location.reload();
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // A restart of the server or a dropped connection: ask again, less often.
        failures += 1;
        window.setTimeout(poll, Math.min(delay * Math.pow(2, failures), 30000));
      });
  }

  window.setTimeout(poll, delay);
})();
