// Live crawl progress: polls the run's JSON state until it ends, then reloads once for the results.
(function () {
  var box = document.getElementById("crawl-progress");
  if (!box) { return; }
  var fields = ["pages_fetched", "pages_queued", "pages_failed", "opportunities_found", "backlinks_found", "contacts_found"];
  function render(data) {
    box.querySelector("[data-field=status]").textContent = data.status;
    fields.forEach(function (name) {
      var el = box.querySelector("[data-field=" + name + "]");
      if (el) { el.textContent = (data[name] || 0).toLocaleString(); }
    });
    var bar = box.querySelector("progress");
    if (data.active) { bar.removeAttribute("value"); } else { bar.value = 1; bar.max = 1; }
    box.querySelector("[data-field=stop]").hidden = !data.active || data.status === "stopping";
    var error = box.querySelector("[data-field=error]");
    if (data.error) { error.textContent = data.error; error.hidden = false; }
  }
  function poll() {
    fetch(box.dataset.crawlStatusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        render(data);
        if (!data.active) {
          if (box.dataset.initialStatus !== data.status) { window.location.reload(); }
          return;
        }
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 4000); });
  }
  if (box.dataset.initialStatus === "queued" || box.dataset.initialStatus === "running" || box.dataset.initialStatus === "stopping") { poll(); }
})();
