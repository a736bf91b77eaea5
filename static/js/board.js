// The pipeline board: drag a card to another column to move its prospect.
// Each card also has a plain form behind its menu (a <select> and a button), which works with
// the keyboard and without this script. Moves post the card's version; a 409 shows the
// conflict message. Moving to Do not contact asks first; any drag can be undone for a while.
// The closed stages' cards are read when their folded column is first opened.
(function () {
  "use strict";
  const board = document.getElementById("board");
  if (!board) return;
  const message = document.getElementById("board-message");
  const token = document.querySelector('meta[name="csrf-token"]').content;
  let dragged = null;
  let undoTimer = null;
  const UNDO_SECONDS = 8;
  const NEVER = "do_not_contact";

  function confirmNever(domain) {
    return window.confirm("Move " + domain + " to Do not contact? Their sequences stop and they will not be pitched again.");
  }

  function say(text, isError) {
    window.clearTimeout(undoTimer);
    message.textContent = text;
    message.className = "board-message" + (text ? (isError ? " flash flash-error" : " flash flash-success") : "");
    message.setAttribute("role", isError ? "alert" : "status");
  }

  function bumpCount(column, delta) {
    const count = column.querySelector("[data-count]");
    count.textContent = String(Math.max(0, parseInt(count.textContent, 10) + delta));
  }

  function refreshCard(card, stage, version) {
    card.dataset.stage = stage;
    card.dataset.version = String(version);
    card.querySelector('input[name="version"]').value = String(version);
    card.querySelector('input[name="seen"]').value = stage;
    card.querySelector('select[name="stage"]').value = stage;
    const tick = card.querySelector('input[name="pick"]');
    tick.value = card.dataset.id + ":" + version;
  }

  function offerUndo(card, source, text) {
    say(text, false);
    const button = document.createElement("button");
    button.type = "button";
    button.className = "undo secondary small";
    button.textContent = "Undo";
    button.addEventListener("click", () => {
      window.clearTimeout(undoTimer);
      moveCard(card, source, true);
    });
    message.appendChild(button);
    undoTimer = window.setTimeout(() => { if (button.isConnected) button.remove(); }, UNDO_SECONDS * 1000);
  }

  async function moveCard(card, target, undoing) {
    const source = card.closest(".board-column");
    const stage = target.dataset.stage;
    if (source === target) return;
    if (stage === NEVER && !undoing && !confirmNever(card.dataset.domain)) return;
    const body = new FormData();
    body.append("stage", stage);
    body.append("version", card.dataset.version);
    body.append("seen", card.dataset.stage);
    card.setAttribute("aria-busy", "true");
    let response;
    try {
      response = await fetch(card.dataset.url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token, Accept: "application/json" },
      });
    } catch (error) {
      say("Could not reach the server; the card was not moved.", true);
      return;
    } finally {
      card.removeAttribute("aria-busy");
    }
    const data = await response.json().catch(() => ({}));
    if (response.ok) {
      const list = target.querySelector("[data-drop]");
      list.querySelectorAll("#" + card.id).forEach((copy) => { if (copy !== card) copy.remove(); });
      list.prepend(card);
      bumpCount(source, -1);
      bumpCount(target, 1);
      refreshCard(card, data.stage, data.version);
      card.classList.remove("conflict");
      const text = card.dataset.domain + " moved to " + data.stage_label + ".";
      if (undoing) { say(text, false); } else { offerUndo(card, source, text); }
      const menu = card.querySelector("details.card-menu");
      if (menu) menu.open = false;
    } else if (response.status === 409) {
      card.classList.add("conflict");
      say(data.error || "Someone else changed this prospect; reload.", true);
    } else {
      say(data.error || "The move failed (HTTP " + response.status + "); reload and try again.", true);
    }
  }

  // A card's menu moves it in place (and can be undone) like a drag; without this script the
  // form posts and the page comes back.
  board.addEventListener("submit", (event) => {
    const form = event.target.closest && event.target.closest(".move-form");
    if (!form) return;
    const card = form.closest(".card");
    const stage = form.querySelector('select[name="stage"]').value;
    const target = board.querySelector('.board-column[data-stage="' + stage + '"]');
    if (!card || !target) return;
    event.preventDefault();
    if (target === card.closest(".board-column")) return;
    moveCard(card, target).then(() => {
      const summary = card.querySelector("details.card-menu > summary");
      if (summary) summary.focus();
    });
  });

  async function loadColumn(details) {
    const url = details.dataset.load;
    delete details.dataset.load;
    const body = details.querySelector("[data-column-body]");
    body.setAttribute("aria-busy", "true");
    let html = null;
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      // A signed-out session answers with the sign-in page, after a redirect: not a column.
      if (response.ok && !response.redirected) html = await response.text();
    } catch (error) {
      html = null;
    } finally {
      body.removeAttribute("aria-busy");
    }
    const fragment = document.createElement("div");
    if (html !== null) fragment.innerHTML = html;
    const list = fragment.querySelector("[data-drop]");
    if (!list) {
      details.dataset.load = url;  // the next opening tries again; the table link stays
      say("Could not load the " + details.querySelector("summary span").textContent + " column; reload the page.", true);
      return;
    }
    // In one step, after the answer: cards moved here while it loaded stay, listed once, and
    // a card the board still shows in another column (a teammate moved it) leaves that column.
    const column = details.closest(".board-column");
    const dropped = Array.from(body.querySelectorAll(".card"));
    list.querySelectorAll(".card").forEach((card) => {
      const shown = document.getElementById(card.id);
      if (!shown) return;
      if (shown.closest(".board-column") === column) { card.remove(); return; }
      bumpCount(shown.closest(".board-column"), -1);
      bumpCount(column, 1);
      shown.remove();
    });
    body.replaceChildren(...fragment.childNodes);
    dropped.reverse().forEach((card) => list.prepend(card));
  }

  board.addEventListener("toggle", (event) => {
    const details = event.target;
    if (details.open && details.dataset && details.dataset.load) loadColumn(details);
  }, true);

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".card");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
  });

  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    board.querySelectorAll(".drop-target").forEach((el) => el.classList.remove("drop-target"));
  });

  board.addEventListener("dragover", (event) => {
    const column = event.target.closest && event.target.closest(".board-column");
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".drop-target").forEach((el) => {
      if (el !== column) el.classList.remove("drop-target");
    });
    column.classList.add("drop-target");
  });

  board.addEventListener("drop", (event) => {
    const column = event.target.closest && event.target.closest(".board-column");
    if (!column) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    const card = dragged || document.getElementById(event.dataTransfer.getData("text/plain"));
    if (card) moveCard(card, column);
  });
})();
