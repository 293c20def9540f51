// Onboarding at a glance: every 30 s, fetch the element's data-funnel-url and swap in the
// chart and per-school table the server rendered (no reload; no inline script). A hidden
// tab skips its turns.
(function () {
  const box = document.querySelector("[data-funnel-url]");
  if (!box) return;
  async function refresh() {
    if (document.hidden) return;
    try {
      const r = await fetch(box.dataset.funnelUrl, { credentials: "same-origin", headers: { Accept: "application/json", "X-Background-Refresh": "1" } });
      if (r.status === 401 || r.redirected) { window.location.reload(); return; } // signed out
      if (!r.ok) return;
      const data = await r.json();
      box.innerHTML = data.html;
    } catch (e) { /* network blip: next time */ }
  }
  setInterval(refresh, 30000);
})();
