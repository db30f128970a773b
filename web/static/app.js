// kcnaprep: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // "/" focuses the search box, as on many documentation sites, unless the user is typing.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var s = document.getElementById("site-search");
    if (s) { e.preventDefault(); s.focus(); }
  });
})();
