// The template editor: merge-field buttons, and a preview that follows the typing.
(function () {
  "use strict";
  var form = document.getElementById("template-form");
  if (!form) { return; }
  var url = form.getAttribute("data-preview-url");
  var subject = document.getElementById("subject");
  var body = document.getElementById("pitch-body");
  var chooser = document.getElementById("preview-prospect");
  var token = form.querySelector("input[name=csrf_token]");
  var lastField = body;
  var timer = null;
  var sent = 0;

  function show(id, visible) { document.getElementById(id).hidden = !visible; }

  function setErrors(field, box, messages) {
    box.textContent = "";
    messages.forEach(function (text) {
      var line = document.createElement("small");
      line.className = "field-error";
      line.textContent = text;
      box.appendChild(line);
    });
    if (messages.length) { field.setAttribute("aria-invalid", "true"); } else { field.removeAttribute("aria-invalid"); }
  }

  function render(data) {
    setErrors(subject, document.getElementById("subject-errors"), data.errors.subject);
    setErrors(body, document.getElementById("body-errors"), data.errors.body);
    document.getElementById("preview-subject").textContent = data.subject;
    document.getElementById("preview-body").textContent = data.body;
    document.querySelector("#preview-missing span").textContent = data.missing.join(", ");
    show("preview-missing", data.missing.length > 0);
    document.getElementById("preview-problem").textContent = data.problem;
    show("preview-problem", !!data.problem);
    show("preview-note", data.without_contact);
    form.setAttribute("data-preview-state", "fresh");
  }

  function refresh() {
    var data = new FormData();
    data.append("subject", subject.value);
    data.append("body", body.value);
    data.append("prospect_id", chooser ? chooser.value : "");
    var sender = document.getElementById("test-mailbox");
    data.append("mailbox_id", sender ? sender.value : "");
    var mine = ++sent;
    form.setAttribute("data-preview-state", "loading");
    fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (json) {
      if (mine === sent) { render(json); }  // an older answer never overwrites a newer one
    }).catch(function () {
      document.getElementById("preview-problem").textContent = "The preview could not be refreshed; save to check the template.";
      show("preview-problem", true);
      form.setAttribute("data-preview-state", "error");
    });
  }

  function later() { window.clearTimeout(timer); timer = window.setTimeout(refresh, 250); }

  function insert(field, text) {
    var start = field.selectionStart, end = field.selectionEnd;
    field.value = field.value.slice(0, start) + text + field.value.slice(end);
    field.focus();
    field.selectionStart = field.selectionEnd = start + text.length;
  }

  [subject, body].forEach(function (field) {
    field.addEventListener("input", later);
    field.addEventListener("focus", function () { lastField = field; });
  });
  if (chooser) { chooser.addEventListener("change", refresh); }
  var senderChoice = document.getElementById("test-mailbox");
  if (senderChoice) { senderChoice.addEventListener("change", refresh); }
  Array.prototype.forEach.call(document.querySelectorAll("[data-insert]"), function (button) {
    button.addEventListener("click", function () { insert(lastField, button.getAttribute("data-insert")); later(); });
  });
})();
