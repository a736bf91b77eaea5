// Live progress bars: any element with data-progress-url is polled until its job ends.
(function () {
  function render(box, data) {
    var read = data.rows_read || 0, done = data.rows_imported || 0, bad = data.rows_rejected || 0;
    box.querySelector("[data-field=status]").textContent = data.status;
    box.querySelector("[data-field=read]").textContent = read.toLocaleString();
    box.querySelector("[data-field=imported]").textContent = done.toLocaleString();
    box.querySelector("[data-field=rejected]").textContent = bad.toLocaleString();
    var bar = box.querySelector("progress");
    if (data.status === "done") { bar.value = 1; bar.max = 1; }
    else if (data.status === "failed") { bar.value = 0; bar.max = 1; }
    else { bar.removeAttribute("value"); }
    if (data.error) { var e = box.querySelector("[data-field=error]"); e.textContent = data.error; e.hidden = false; }
  }
  function poll(box) {
    fetch(box.dataset.progressUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        render(box, data);
        if (data.status === "done" || data.status === "failed") {
          if (box.dataset.reloadWhenDone && box.dataset.initialStatus !== data.status) { window.location.reload(); }
          return;
        }
        setTimeout(function () { poll(box); }, 1000);
      })
      .catch(function () { setTimeout(function () { poll(box); }, 3000); });
  }
  document.querySelectorAll("[data-progress-url]").forEach(poll);
})();
