// Small behaviours the pages share; inline scripts are blocked by the content security policy.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-keel-autosubmit]");
  if (form) form.submit();
});
// A 409 or 422 from an htmx request carries a re-rendered fragment: show it instead of ignoring it.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status === 409 || status === 422 || status === 403) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
