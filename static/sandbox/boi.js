// Campus sandbox, Business Office tools: the "Show" toggle of a Client Secret, and a
// Synchronization page that refreshes itself while a commit job runs.
(function () {
  document.querySelectorAll("[data-toggle-secret]").forEach(function (button) {
    button.addEventListener("click", function () {
      const input = document.getElementById(button.dataset.toggleSecret);
      if (!input) return;
      const show = input.type === "password";
      input.type = show ? "text" : "password";
      button.textContent = show ? "Hide" : "Show";
      button.setAttribute("aria-pressed", show ? "true" : "false");
    });
  });
  const status = document.querySelector("[data-refresh]");
  if (status) {
    const seconds = parseInt(status.dataset.refresh, 10) || 3;
    setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
})();
