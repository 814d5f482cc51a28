// The API's documentation page: Swagger UI draws some controls without what assistive
// technology needs (axe): its dialog's close button has no name, a parameter's choice list
// has no label, and a scrolling example cannot be reached by keyboard. Add what is missing
// to whatever it draws.
(function () {
  "use strict";
  function complete(root) {
    root.querySelectorAll("button.close-modal:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", "Close");
    });
    root.querySelectorAll("tr[data-param-name] select:not([aria-label])").forEach(function (select) {
      select.setAttribute("aria-label", select.closest("tr").getAttribute("data-param-name"));
    });
    root.querySelectorAll("pre.microlight:not([tabindex])").forEach(function (pre) {
      pre.setAttribute("tabindex", "0");
    });
  }
  new MutationObserver(function () { complete(document); }).observe(document.body, {
    childList: true,
    subtree: true,
  });
})();
