// The neighbour survey's answer page: a letter's QR code opens it at `…/#kode=ABCD-EFGH`.
// Browsers never send the fragment to the server, so the code stays out of access logs and
// Referer headers; this fills the code field from it and takes it out of the address bar
// (and the history). Without JavaScript the neighbour types the code printed on the letter.
(function () {
  var match = /(?:^#|&)kode=([A-Za-z0-9 -]{1,20})(?:&|$)/.exec(window.location.hash);
  var field = document.getElementById("id_code");
  if (!match || !field) {
    return;
  }
  if (!field.value) {
    field.value = decodeURIComponent(match[1]);
  }
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
})();
