/* The agent's desk: state, queue, the current contact, knowledge base and glossary.
 * Polls the desk API every 2 s. Everything from residents or the knowledge base is inserted
 * with textContent, never as HTML. */
(function () {
  "use strict";
  var root = document.getElementById("desk");
  if (!root) return;
  var csrf = root.getAttribute("data-csrf");
  var API = "/api/v1/desk";
  var current = null; // id of the contact this agent has
  var STATES = { available: "dostępny", busy: "w rozmowie", wrap_up: "kończenie", break: "przerwa", offline: "niedostępny" };

  function $(id) { return document.getElementById(id); }

  function call(method, path, body) {
    var init = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRF-Token"] = csrf;
      init.body = JSON.stringify(body || {});
    }
    return fetch(API + path, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          if (res.status === 401) window.location.href = "/admin/login?next=/desk";
          throw new Error((data && data.detail) || String(res.status));
        }
        $("desk-error").textContent = "";
        return data;
      });
    });
  }

  function fail(err) { $("desk-error").textContent = "Błąd: " + err.message; }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    row.appendChild(td);
    return td;
  }

  function minutes(s) {
    var m = Math.floor(s / 60), r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }

  function showMe(me) {
    $("my-state").textContent = STATES[me.state] || me.state;
    $("my-state").setAttribute("data-state", me.state);
    if (me.current && me.current !== current) openContact(me.current);
    if (!me.current && me.state !== "wrap_up") closeContact();
  }

  function refresh() {
    call("GET", "/me").then(showMe).catch(fail);
    call("GET", "/queue").then(function (q) {
      var body = $("queue").querySelector("tbody");
      // Rebuild only on change, so a button is never swapped out under the agent's click.
      var key = JSON.stringify(q.entries.map(function (e) {
        return [e.id, e.offered_to_me, Math.floor(e.waiting_s / 10)];
      }));
      if (body.getAttribute("data-key") === key) return;
      body.setAttribute("data-key", key);
      body.textContent = "";
      q.entries.forEach(function (e) {
        var tr = document.createElement("tr");
        tr.setAttribute("data-entry", e.id);
        if (e.offered_to_me) tr.className = "offered";
        cell(tr, e.queue);
        cell(tr, e.topic || "–");
        cell(tr, e.language);
        cell(tr, minutes(e.waiting_s));
        cell(tr, e.kind === "callback" ? "oddzwonienie " + (e.callback_phone || "") : "czat");
        var b = document.createElement("button");
        b.type = "button";
        b.className = "accept";
        b.textContent = "Przyjmij";
        b.addEventListener("click", function () {
          call("POST", "/entries/" + e.id + "/accept").then(function (c) {
            showContact(c);
            refresh();
          }).catch(fail);
        });
        cell(tr, "").appendChild(b);
        body.appendChild(tr);
      });
      $("queue").hidden = q.entries.length === 0;
      $("queue-empty").hidden = q.entries.length !== 0;
    }).catch(fail);
    if (current) call("GET", "/entries/" + current).then(showContact).catch(fail);
  }

  function openContact(id) {
    current = id;
    call("GET", "/entries/" + id).then(showContact).catch(fail);
  }

  function closeContact() {
    current = null;
    $("contact").hidden = true;
  }

  function showContact(c) {
    current = c.id;
    $("contact").hidden = false;
    $("contact-meta").textContent =
      "Temat: " + (c.topic || "–") + " · język: " + c.language + " · kolejka: " + c.queue +
      (c.callback_phone ? " · oddzwoń: " + c.callback_phone + " " + c.callback_when : "");
    var list = $("transcript");
    var seen = list.getAttribute("data-last") || "";
    var last = c.transcript.length ? String(c.transcript[c.transcript.length - 1].id) : "";
    if (seen !== last || list.getAttribute("data-entry") !== c.id) {
      list.textContent = "";
      c.transcript.forEach(function (t) {
        var li = document.createElement("li");
        li.className = "from-" + t.who;
        var who = { resident: "Mieszkaniec", bot: "Bot", agent: t.name || "Konsultant" }[t.who];
        var strong = document.createElement("strong");
        strong.textContent = who + ": ";
        li.appendChild(strong);
        li.appendChild(document.createTextNode(t.text));
        list.appendChild(li);
      });
      list.setAttribute("data-last", last);
      list.setAttribute("data-entry", c.id);
    }
    var fields = $("booking-fields");
    fields.textContent = "";
    Object.keys(c.booking || {}).forEach(function (k) {
      var dt = document.createElement("dt"); dt.textContent = k;
      var dd = document.createElement("dd"); dd.textContent = String(c.booking[k]);
      fields.appendChild(dt); fields.appendChild(dd);
    });
    $("booking").hidden = !c.booking;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-state]"), function (b) {
    if (b.tagName !== "BUTTON") return;
    b.addEventListener("click", function () {
      call("POST", "/me/state", { state: b.getAttribute("data-state") }).then(showMe).catch(fail);
    });
  });

  $("reply-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = $("reply").value.trim();
    if (!text || !current) return;
    call("POST", "/entries/" + current + "/reply", { text: text }).then(function (c) {
      $("reply").value = "";
      showContact(c);
    }).catch(fail);
  });

  $("transfer-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!current) return;
    call("POST", "/entries/" + current + "/transfer", {
      queue: $("transfer-queue").value, note: $("transfer-note").value
    }).then(function () { closeContact(); refresh(); }).catch(fail);
  });

  $("wrap-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!current) return;
    var id = current;
    call("POST", "/entries/" + id + "/end").then(function () {
      return call("POST", "/entries/" + id + "/wrap-up", {
        code: $("wrap-code").value, to_bot: $("wrap-bot").checked
      });
    }).then(function (me) { closeContact(); showMe(me); refresh(); }).catch(fail);
  });

  $("kb-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = $("kb-q").value.trim();
    if (q.length < 2) return;
    call("GET", "/search?q=" + encodeURIComponent(q) + "&lang=" + $("kb-lang").value).then(function (r) {
      var list = $("kb-results");
      list.textContent = "";
      r.results.forEach(function (hit) {
        var li = document.createElement("li");
        var h = document.createElement("strong"); h.textContent = hit.title;
        var p = document.createElement("p"); p.textContent = hit.answer;
        var b = document.createElement("button");
        b.type = "button"; b.className = "insert"; b.textContent = "Wstaw odpowiedź";
        b.addEventListener("click", function () {
          $("reply").value = hit.answer + (hit.url ? "\n" + hit.url : "");
          $("reply").focus();
        });
        li.appendChild(h); li.appendChild(p); li.appendChild(b);
        list.appendChild(li);
      });
    }).catch(fail);
  });

  $("glossary-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    call("GET", "/glossary?q=" + encodeURIComponent($("glossary-q").value)).then(function (g) {
      var body = $("glossary").querySelector("tbody");
      body.textContent = "";
      g.terms.forEach(function (t) {
        var tr = document.createElement("tr");
        cell(tr, t.pl); cell(tr, t.en); cell(tr, t.uk);
        body.appendChild(tr);
      });
      $("glossary").hidden = g.terms.length === 0;
    }).catch(fail);
  });

  // --- booking a visit for the resident ------------------------------------------------------
  var services = [];

  function option(select, value, label) {
    var o = document.createElement("option");
    o.value = value; o.textContent = label;
    select.appendChild(o);
  }

  function fillUnits() {
    var s = services.filter(function (x) { return x.id === $("book-service").value; })[0];
    $("book-unit").textContent = "";
    (s ? s.units : []).forEach(function (u) {
      option($("book-unit"), u.id, u.name + (u.address ? ", " + u.address : ""));
    });
    $("book-slot").textContent = "";
  }

  call("GET", "/booking/services").then(function (r) {
    services = r.services;
    services.forEach(function (s) { option($("book-service"), s.id, s.name); });
    fillUnits();
  }).catch(fail);
  $("book-service").addEventListener("change", fillUnits);

  $("book-find").addEventListener("click", function () {
    call("GET", "/booking/slots?service=" + encodeURIComponent($("book-service").value) +
         "&unit=" + encodeURIComponent($("book-unit").value)).then(function (r) {
      $("book-slot").textContent = "";
      r.slots.forEach(function (x) { option($("book-slot"), x.start, x.label); });
      if (!r.slots.length) $("book-result").textContent = "Brak wolnych terminów.";
    }).catch(fail);
  });

  $("book-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    call("POST", "/booking", {
      service: $("book-service").value, unit: $("book-unit").value,
      start: $("book-slot").value, name: $("book-name").value,
      phone: $("book-phone").value, email: $("book-email").value, entry: current
    }).then(function (v) {
      $("book-result").textContent = "Zarezerwowano. Kod potwierdzenia: " + v.code;
      $("reply").value = "Wizyta jest zarezerwowana. Kod potwierdzenia: " + v.code + ".";
    }).catch(fail);
  });

  // Live: the server says when something changed; a slow poll covers a lost connection.
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + window.location.host + API + "/ws");
    ws.onmessage = function (ev) {
      try {
        if (JSON.parse(ev.data).kind === "changed") refresh();
      } catch (e) { /* not ours */ }
    };
    ws.onclose = function () { window.setTimeout(connect, 3000); };
  }

  refresh();
  connect();
  window.setInterval(refresh, 10000);
})();
