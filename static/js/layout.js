// The page chrome: the header menu on narrow screens, and focus back on what was acted on.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var toggle = document.querySelector(".menu-toggle");
  var menu = document.getElementById("main-menu");
  if (toggle && menu) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
      if (open) { var first = menu.querySelector("a, button"); if (first) { first.focus(); } }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("open")) {
        menu.classList.remove("open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }

  // After a form posts and the page comes back, focus returns to the control that sent it
  // (or, when it is gone, to the page's content), so keyboard users keep their place.
  var KEY = "outreach:last-action";
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    var form = event.target, button = event.submitter;
    try {
      sessionStorage.setItem(KEY, JSON.stringify({
        action: form.getAttribute("action") || "", form: form.id || "",
        button: (button && button.id) || "", label: button ? button.textContent.trim() : ""
      }));
    } catch (e) { /* storage may be off */ }
  });

  function labelled(form, label) {
    var found = null;
    Array.prototype.forEach.call(form.querySelectorAll("button, input[type=submit]"), function (b) {
      if (!found && (b.textContent || b.value || "").trim() === label) { found = b; }
    });
    return found;
  }

  function restoreFocus(saved) {
    var target = saved.button ? document.getElementById(saved.button) : null;
    var forms = saved.form ? [document.getElementById(saved.form)] : [];
    Array.prototype.push.apply(forms, document.querySelectorAll("form[action]"));
    forms.forEach(function (form) {
      if (!target && form && form.getAttribute("action") === saved.action) { target = labelled(form, saved.label); }
    });
    (target || document.getElementById("content") || document.body).focus();
  }

  var saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(KEY) || "null"); sessionStorage.removeItem(KEY); } catch (e) { saved = null; }
  if (saved) { restoreFocus(saved); }
})();
