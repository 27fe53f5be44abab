// Small progressive enhancements; every page works without JavaScript.
// Elements with data-refresh-url are refreshed in place (the meeting room's quorum state).
(function () {
  function refresh(el) {
    fetch(el.dataset.refreshUrl, {headers: {"X-Requested-With": "fetch"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { el.innerHTML = html; } })
      .catch(function () {});
  }
  document.querySelectorAll("[data-refresh-url]").forEach(function (el) {
    var every = parseInt(el.dataset.refreshEvery || "5000", 10);
    setInterval(function () { refresh(el); }, every);
  });
  // Panels folded on phones (the meeting room's secretariat controls) start open on wider screens.
  if (window.matchMedia && window.matchMedia("(min-width: 760px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) { if (!confirm(form.dataset.confirm)) { e.preventDefault(); } });
  });
})();
