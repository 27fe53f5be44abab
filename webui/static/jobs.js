// Background jobs (生成 PDF, exports): reload each unfinished job's status fragment until it is finished.
// The fragment of a finished job carries no data-job-url, which ends the polling. No inline script (CSP).
(function () {
  function poll(el) {
    var url = el.dataset.jobUrl;
    if (!url) { return; }
    fetch(url, {headers: {"X-Requested-With": "fetch"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.firstElementChild;
        if (!fresh) { return; }
        el.replaceWith(fresh);
        if (fresh.dataset.jobUrl) { setTimeout(function () { poll(fresh); }, 1500); }
      })
      .catch(function () { setTimeout(function () { poll(el); }, 3000); });
  }
  document.querySelectorAll("[data-job-url]").forEach(function (el) { setTimeout(function () { poll(el); }, 1000); });
})();
