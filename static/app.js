// Choosing an actuación tipo shows its form at once; without JavaScript the button does it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-autoenvio] select").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.value) { select.form.submit(); }
    });
  });
});
