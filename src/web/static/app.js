// mipstock web app: the little a browser needs beyond the server's pages.
(function () {
  "use strict";
  // A keyboard-wedge scanner types a GS1 code then Enter. The GS separator (FNC1) arrives as the
  // control character, often as Ctrl+] which an input would drop: keep it, visibly, as ␝.
  var GS_VISIBLE = "\u241d";
  function insert(field, text) {
    var start = field.selectionStart, end = field.selectionEnd;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.selectionStart = field.selectionEnd = start + text.length;
  }
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (!field || !field.hasAttribute || !field.hasAttribute("data-gs1")) return;
    var gs = event.key === "\u001d" || (event.ctrlKey && (event.key === "]" || event.code === "BracketRight"));
    if (gs) {
      event.preventDefault();
      insert(field, GS_VISIBLE);
    }
  });
  // The pages allow no inline script: the recall's print button is wired here.
  document.addEventListener("click", function (event) {
    if (event.target && event.target.hasAttribute && event.target.hasAttribute("data-print")) window.print();
  });
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field && field.hasAttribute && field.hasAttribute("data-gs1") && field.value.indexOf("\u001d") >= 0) {
      var at = field.selectionStart;
      field.value = field.value.split("\u001d").join(GS_VISIBLE);
      field.selectionStart = field.selectionEnd = at;
    }
  });
})();
