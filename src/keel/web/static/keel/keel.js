// Small behaviours the pages share; inline scripts are blocked by the content security policy.
"use strict";

// <form data-keel-autosubmit>: submit when a field changes (the language switch, filters).
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-keel-autosubmit]");
  if (!form) return;
  if (form.hasAttribute("hx-get") || form.hasAttribute("hx-post")) {
    form.requestSubmit();
  } else {
    form.submit();
  }
});

// <button data-keel-confirm="Delete this?">: ask before a destructive action.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-keel-confirm]");
  if (button && !window.confirm(button.dataset.keelConfirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// Escape in an inline-edited row cancels the edit.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const row = event.target.closest("tr.task-editing");
  const cancel = row && row.querySelector("[data-keel-cancel]");
  if (cancel) cancel.click();
});

// A 409 or 422 from an htmx request carries a re-rendered fragment, and a 400/403/404 an
// alert retargeted to #keel-alerts by the server: show them instead of ignoring them.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if ([400, 403, 404, 409, 422].includes(status)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Anything else that failed (500, network): say so rather than do nothing.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  if ([400, 403, 404, 409, 422].includes(status)) return;
  showAlert(document.body.dataset.keelErrorText || "Something went wrong. Please reload the page.");
});
document.addEventListener("htmx:sendError", () => {
  showAlert(document.body.dataset.keelOfflineText || "The server could not be reached.");
});

function showAlert(text) {
  const box = document.getElementById("keel-alerts");
  if (!box) return;
  const alert = document.createElement("div");
  alert.className = "alert alert-danger";
  alert.setAttribute("role", "alert");
  alert.textContent = text;
  box.replaceChildren(alert);
}
