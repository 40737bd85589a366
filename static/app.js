// Choosing an actuación tipo shows its form at once; without JavaScript the button does it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-autoenvio] select").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.value) { select.form.submit(); }
    });
  });
});

// Bulk uploads show how much has been sent; without JavaScript the form posts normally.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-progreso]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }
      event.preventDefault();
      var box = form.querySelector(".progreso");
      var bar = box.querySelector("progress");
      var label = box.querySelector("span");
      var button = form.querySelector("button[type=submit]");
      box.hidden = false;
      button.disabled = true;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var percent = Math.round(100 * e.loaded / e.total);
        bar.value = percent;
        label.textContent = "Enviando: " + percent + " %";
      });
      xhr.upload.addEventListener("load", function () {
        bar.removeAttribute("value");
        label.textContent = "Archivos recibidos; revisando y vinculando…";
      });
      xhr.addEventListener("load", function () {
        if (xhr.status < 400 && xhr.responseURL && xhr.responseURL !== window.location.href) {
          window.location.assign(xhr.responseURL);
          return;
        }
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        label.textContent = "Se perdió la conexión. Intente de nuevo.";
      });
      xhr.send(new FormData(form));
    });
  });
});

// Forms with a destructive step ask first (data-confirmar holds the question); without
// JavaScript they post at once, and what they undo stays audited.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-confirmar]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirmar)) { event.preventDefault(); }
    });
  });
});

// Registration: the document typed in the form's own field asks at once where it is registered
// (the same fragment the "Consultar" step renders without JavaScript).
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("aviso-documento");
  var field = document.getElementById("numero_documento");
  var tipo = document.getElementById("tipo_documento");
  if (!box || !field || !window.fetch) { return; }
  var ask = function () {
    var numero = field.value.replace(/[\s.\-]/g, "");
    if (numero.length < 3) { return; }
    var url = box.dataset.url + "?numero_documento=" + encodeURIComponent(numero) +
      (tipo ? "&tipo_documento=" + encodeURIComponent(tipo.value) : "");
    fetch(url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { box.innerHTML = html; });
  };
  field.addEventListener("change", ask);
  if (tipo) { tipo.addEventListener("change", ask); }
});

// An import being processed shows its progress from its status JSON; without JavaScript the page
// refreshes itself (meta refresh) and offers an "Actualizar" link.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("importacion-estado");
  if (!box || !window.fetch) { return; }
  var running = ["en_cola", "procesando"];
  if (running.indexOf(box.dataset.estado) < 0) { return; }
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-campo=progreso]");
  function poll() {
    fetch(box.dataset.estadoUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (running.indexOf(s.estado) < 0) { window.location.reload(); return; }
        if (bar) { bar.max = s.filas || 1; bar.value = s.procesadas; }
        if (label) { label.textContent = s.procesadas + " de " + s.filas + " filas"; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
});

// The review form: A approves; R moves to the observation, where Ctrl+Enter rejects. Shortcuts
// only outside text fields, so typing an observation never triggers them.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-atajos-revision]");
  if (!form) { return; }
  var approve = form.querySelector("[data-atajo=a]");
  var reject = form.querySelector("[data-atajo=r]");
  var note = form.querySelector("textarea");
  var help = form.querySelector(".atajos");
  if (help) { help.hidden = false; }
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if (event.target === note && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      reject.click();
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "a" || event.key === "A") { event.preventDefault(); approve.click(); }
    if (event.key === "r" || event.key === "R") { event.preventDefault(); note.focus(); }
  });
});
