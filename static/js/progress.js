// Live progress bars: any element with data-progress-url is polled until its job ends.
// Polling stops on any ended state; the page reloads once to show the result, only when it
// was rendered before the end. Errors back off (2 s, 4 s... up to a minute); a 4xx ends it.
(function () {
  // Every state in which nothing more will happen without the user (tests/test_progress_js.py
  // checks this list against the app's own status values).
  var ENDED = ["done", "finished", "failed", "cancelled", "stopped", "needs_mapping"];
  var POLL_MS = 1000, MAX_BACKOFF_MS = 60000;

  function ended(status) { return ENDED.indexOf(status) !== -1; }

  function render(box, data) {
    var read = data.rows_read || 0, done = data.rows_imported || 0, bad = data.rows_rejected || 0;
    box.querySelector("[data-field=status]").textContent = data.status;
    box.querySelector("[data-field=read]").textContent = read.toLocaleString();
    box.querySelector("[data-field=imported]").textContent = done.toLocaleString();
    box.querySelector("[data-field=rejected]").textContent = bad.toLocaleString();
    var bar = box.querySelector("progress");
    if (data.status === "done" || data.status === "finished") { bar.value = 1; bar.max = 1; }
    else if (ended(data.status)) { bar.value = 0; bar.max = 1; }
    else { bar.removeAttribute("value"); }
    if (data.error) { var e = box.querySelector("[data-field=error]"); e.textContent = data.error; e.hidden = false; }
  }

  function finish(box, status) {
    if (!box.dataset.reloadWhenDone || ended(box.dataset.initialStatus) || box.dataset.initialStatus === status) { return; }
    // Once per page and state: a page that still shows the old state must not reload for ever.
    var key = "progress-reloaded:" + box.dataset.progressUrl + ":" + status;
    try {
      if (window.sessionStorage.getItem(key)) { return; }
      window.sessionStorage.setItem(key, "1");
    } catch (ignored) { /* no storage: reload anyway, the page check above still holds */ }
    window.location.reload();
  }

  function poll(box, backoff) {
    function retry() {
      var wait = Math.min(backoff ? backoff * 2 : 2000, MAX_BACKOFF_MS);
      setTimeout(function () { poll(box, wait); }, wait);
    }
    fetch(box.dataset.progressUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) {
        if (r.status >= 400 && r.status < 500 && r.status !== 429) { box.dataset.pollStopped = String(r.status); return null; }
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (data) {
        if (data === null) { return; }
        render(box, data);
        if (ended(data.status)) { box.dataset.pollStopped = data.status; finish(box, data.status); return; }
        setTimeout(function () { poll(box, 0); }, POLL_MS);
      })
      .catch(retry);
  }

  document.querySelectorAll("[data-progress-url]").forEach(function (box) {
    if (ended(box.dataset.initialStatus)) { box.dataset.pollStopped = box.dataset.initialStatus; return; }
    poll(box, 0);
  });
})();
