// The pages' few behaviours, kept out of the HTML: the Content-Security-Policy allows no inline
// script and no eval (so no hx-on attributes either).

document.addEventListener("submit", function (event) {
  // Intake: a double click sends one request; the idempotency key covers the rest.
  var button = event.submitter;
  if (button && button.id === "receive-submit") {
    setTimeout(function () { button.disabled = true; }, 0);
  }
});

document.addEventListener("htmx:beforeSwap", function (event) {
  // The due-date look-up shows its form again with the errors of a 400 answer.
  var card = event.target.closest && event.target.closest("#due-lookup");
  if (card && event.detail.xhr.status === 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

document.addEventListener("submit", function (event) {
  // A form or button with data-confirm asks before it sends (merging, deactivating, removing).
  var asker = [event.submitter, event.target].find(function (el) { return el && el.dataset.confirm; });
  if (asker && !window.confirm(asker.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

document.addEventListener("change", function (event) {
  // A select with data-autosubmit (language, calendar scope) sends its form when changed.
  if (event.target.matches && event.target.matches("[data-autosubmit]") && event.target.form) {
    event.target.form.submit();
  }
});

document.addEventListener("htmx:beforeSwap", function (event) {
  // A block marked data-swap-errors (the counter desk's rating tablet) shows the screen a 4xx
  // answer carries: the message is on it.
  var block = event.target.closest && event.target.closest("[data-swap-errors]");
  if (block && event.detail.xhr.status >= 400 && event.detail.xhr.status < 500) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

document.addEventListener("click", function (event) {
  // The menu button of a narrow screen opens and closes the top bar's links.
  var button = event.target.closest && event.target.closest(".menu-toggle");
  if (button) {
    var bar = button.closest(".topbar");
    var open = bar.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
});
