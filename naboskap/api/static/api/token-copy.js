// The page that shows a new API token once: a "Copy" button puts the token on the clipboard
// and says so in a status message. Without JavaScript the button stays hidden and the token
// is selected and copied by hand (a click in the field selects all of it).
(function () {
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-status"));
    if (!field) {
      return;
    }
    function say(ok) {
      if (status) {
        status.textContent = button.getAttribute(ok ? "data-copied" : "data-failed");
      }
    }
    function copyBySelecting() {
      field.focus();
      field.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (error) {
        ok = false;
      }
      say(ok);
    }
    field.addEventListener("focus", function () {
      field.select();
    });
    button.hidden = false;
    button.addEventListener("click", function () {
      if (status) {
        status.textContent = "";
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () {
          say(true);
        }, copyBySelecting);
      } else {
        copyBySelecting();
      }
    });
  });
})();
