/* Progressive enhancement only: every page works without this file. */
"use strict";

document.documentElement.classList.add("js");

/* A <select data-autosubmit> submits its form when changed (its button is then hidden). */
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("[data-autosubmit]") && target.form) {
    target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
  }
});

/* Long tables of contents start closed on narrow screens, open on wide ones. */
document.addEventListener("DOMContentLoaded", function () {
  if (window.matchMedia("(max-width: 900px)").matches) {
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (el) {
      el.open = false;
    });
  }
});
