// The home page's status (idbridge.core.status): the element with data-status-url is
// refreshed from that JSON endpoint every 15 seconds while the page is visible, and only
// replaced when something changed (the HTML is the server's own, escaped template).
(function () {
  const box = document.querySelector("[data-status-url]");
  if (!box) return;
  let last = null;
  async function refresh() {
    if (document.hidden) return;
    try {
      const response = await fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "X-Background-Refresh": "1" } });
      if (response.status === 401 || response.redirected) { window.location.reload(); return; } // signed out
      if (!response.ok) return;
      const data = await response.json();
      if (last !== null && data.html !== last) box.innerHTML = data.html;
      last = data.html;
    } catch (err) {
      // Offline for a moment: the next refresh tries again.
    }
  }
  refresh();
  setInterval(refresh, 15000);
})();
