/* The supervisor's wallboard, refreshed every 3 s. */
(function () {
  "use strict";
  var STATES = { available: "dostępni", busy: "w rozmowie", wrap_up: "kończą", break: "przerwa", offline: "niedostępni" };
  function $(id) { return document.getElementById(id); }
  function minutes(s) { var m = Math.floor(s / 60), r = s % 60; return m + ":" + (r < 10 ? "0" : "") + r; }
  function refresh() {
    fetch("/api/v1/desk/wallboard", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        if (res.status === 401) window.location.href = "/admin/login?next=/desk/wallboard";
        return res.ok ? res.json() : null;
      })
      .then(function (w) {
        if (!w) return;
        $("answered").textContent = String(w.today.answered);
        $("abandoned").textContent = String(w.today.abandoned);
        $("short").textContent = String(w.today.short_abandoned);
        $("sl").textContent = w.service_level.value == null ? "–" : Math.round(w.service_level.value * 100) + "%";
        var body = $("wb-queues").querySelector("tbody");
        body.textContent = "";
        w.queues.forEach(function (q) {
          var tr = document.createElement("tr");
          [q.name, String(q.waiting), minutes(q.longest_wait_s)].forEach(function (v) {
            var td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
          });
          tr.setAttribute("data-queue", q.id);
          body.appendChild(tr);
        });
        var ul = $("wb-agents");
        ul.textContent = "";
        Object.keys(w.agents).forEach(function (k) {
          var li = document.createElement("li");
          li.textContent = (STATES[k] || k) + ": " + w.agents[k];
          ul.appendChild(li);
        });
      })
      .catch(function () {});
  }
  refresh();
  window.setInterval(refresh, 3000);
})();
