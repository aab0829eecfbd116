/* The shell's small behaviours, asked for by data- attributes instead of inline handlers:
   the Content-Security-Policy allows scripts from this site's files only (script-src 'self'). */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.matches) return;
    if (el.matches("[data-autosubmit]") && el.form) {
      el.form.submit();  // a filter or the language: applied as soon as it is chosen
    } else if (el.matches("[data-navigate-param]")) {
      var query = new URLSearchParams(window.location.search);
      query.set(el.getAttribute("data-navigate-param"), el.value);
      window.location.search = "?" + query.toString();
    }
  });
})();
