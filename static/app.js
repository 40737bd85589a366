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

// Session timeout: a warning two minutes before the idle timeout, with a button that extends the
// session; forms keep what was typed in this browser's own storage (never on the server), offered
// back after a timeout and cleared once the form is saved or on logout.
(function () {
  var WARN_BEFORE = 150; // seconds: the server may have seen the last request up to a minute earlier
  var PREFIX = "borrador:";
  var SENT = "borrador-enviado";

  function csrfToken() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function watchSession() {
    var body = document.body;
    var seconds = parseInt(body.getAttribute("data-sesion-segundos"), 10);
    var box = document.querySelector(".aviso-sesion");
    if (!seconds || !box || !window.fetch) { return; }
    var warnTimer, endTimer;
    function arm() {
      clearTimeout(warnTimer); clearTimeout(endTimer);
      box.hidden = true;
      warnTimer = setTimeout(function () { box.hidden = false; }, Math.max(0, seconds - WARN_BEFORE) * 1000);
      endTimer = setTimeout(function () {
        box.querySelector("[data-texto]").textContent =
          "Su sesión se cerró por inactividad. Lo que escribió quedó guardado en este navegador: ingrese de nuevo y vuelva a esta página para recuperarlo.";
        box.querySelector("[data-seguir]").hidden = true;
      }, seconds * 1000);
    }
    box.querySelector("[data-seguir]").addEventListener("click", function () {
      fetch(body.getAttribute("data-sesion-extender"), {
        method: "POST", credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"}
      }).then(function (answer) { if (answer.ok) { arm(); } });
    });
    arm();
  }

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function keyOf(form, index) { return PREFIX + window.location.pathname + "#" + index; }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.name !== "version" &&
        !/^(password|file|hidden|submit|button)$/.test(el.type);
    });
  }

  function save(form, key) {
    var values = {};
    fieldsOf(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) { values[el.name + "=" + el.value] = true; }
      } else { values[el.name] = el.value; }
    });
    storage().setItem(key, JSON.stringify({guardado: Date.now(), valores: values}));
  }

  function restore(form, draft) {
    fieldsOf(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = !!draft.valores[el.name + "=" + el.value];
      } else if (Object.prototype.hasOwnProperty.call(draft.valores, el.name)) {
        el.value = draft.valores[el.name];
      }
    });
  }

  function offer(form, key, draft) {
    var note = document.createElement("p");
    note.className = "mensaje mensaje-aviso";
    note.setAttribute("role", "status");
    var when = new Date(draft.guardado).toLocaleString("es-CO");
    note.textContent = "Hay datos escritos en este formulario sin guardar (" + when + "). ";
    var take = document.createElement("button");
    take.type = "button"; take.textContent = "Recuperarlos";
    var drop = document.createElement("button");
    drop.type = "button"; drop.textContent = "Descartarlos"; drop.className = "secundario";
    take.addEventListener("click", function () { restore(form, draft); note.remove(); });
    drop.addEventListener("click", function () { storage().removeItem(key); note.remove(); });
    note.appendChild(take); note.appendChild(document.createTextNode(" ")); note.appendChild(drop);
    form.parentNode.insertBefore(note, form);
  }

  function keepDrafts() {
    var store = storage();
    if (!store || !window.sessionStorage) { return; }
    // A form sent from another page that did not come back (a redirect after a save) is saved.
    var sent = window.sessionStorage.getItem(SENT);
    if (sent) {
      window.sessionStorage.removeItem(SENT);
      var sentPath = sent.slice(PREFIX.length).split("#")[0];
      var atLogin = !!document.querySelector("form[action$='/login'], form#login, input[name=username]");
      var savedHere = !!document.querySelector(".mensaje-ok");
      if ((sentPath !== window.location.pathname || savedHere) && !atLogin) { store.removeItem(sent); }
    }
    var forms = document.querySelectorAll("form.formulario[method=post]:not([data-sin-borrador])");
    Array.prototype.forEach.call(forms, function (form, index) {
      var key = keyOf(form, index);
      var stored = store.getItem(key);
      if (stored) {
        try { offer(form, key, JSON.parse(stored)); } catch (e) { store.removeItem(key); }
      }
      form.addEventListener("input", function () { save(form, key); });
      form.addEventListener("change", function () { save(form, key); });
      form.addEventListener("submit", function () { window.sessionStorage.setItem(SENT, key); });
    });
    var logout = document.querySelector("form[data-salir]");
    if (logout) {
      logout.addEventListener("submit", function () {
        for (var i = store.length - 1; i >= 0; i--) {
          var name = store.key(i);
          if (name && name.indexOf(PREFIX) === 0) { store.removeItem(name); }
        }
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () { watchSession(); keepDrafts(); });
})();

// The menu is a details element folded on a phone; from 40rem up app.css shows its content
// (::details-content); a browser without that pseudo-element gets it opened here instead.
document.addEventListener("DOMContentLoaded", function () {
  var menu = document.querySelector("details.menu");
  if (!menu || !window.matchMedia) { return; }
  var wide = window.matchMedia("(min-width: 40.01rem)");
  var supported = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  function follow() { if (wide.matches && !supported) { menu.open = true; } }
  follow();
  if (wide.addEventListener) { wide.addEventListener("change", follow); }
});

// On a phone a table's rows stack (app.css); each cell is labelled with its column's heading
// (data-label, shown before the value). Templates may set data-label themselves; this fills
// the rest from the table's head.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.tabla").forEach(function (table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) { return; }
    var labels = [];
    Array.prototype.forEach.call(head.cells, function (cell) {
      for (var i = 0; i < (cell.colSpan || 1); i++) { labels.push(cell.textContent.trim()); }
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var label = labels[column];
          if (label && !cell.hasAttribute("data-label") && cell.colSpan === 1) {
            cell.setAttribute("data-label", label);
          }
          column += cell.colSpan || 1;
        });
      });
    });
  });
});
