// Live poll progress on a connection page.
(function () {
  const box = document.getElementById("connection-status");
  if (!box) return;
  const bar = document.getElementById("poll-progress");
  const text = document.getElementById("poll-progress-text");
  let wasPolling = !bar.hidden;
  async function tick() {
    try {
      const r = await fetch(box.dataset.progressUrl, { credentials: "same-origin" });
      if (!r.ok) return;
      const s = await r.json();
      for (const [k, v] of Object.entries({ status: s.status, last_error: s.last_error || "—", last_poll_at: s.last_poll_at || "—" })) {
        const el = box.querySelector(`[data-field="${k}"]`);
        if (el) el.textContent = v;
      }
      if (s.polling) {
        bar.hidden = false;
        if (s.total) { bar.max = s.total; bar.value = s.done; } else { bar.removeAttribute("value"); }
        text.textContent = s.total ? `Polling: ${s.done} of ${s.total}` : `Polling: ${s.done} read`;
        wasPolling = true;
      } else if (wasPolling) {
        bar.hidden = true;
        text.textContent = "Poll finished.";
        wasPolling = false;
      }
    } catch (e) { /* network blip: try again on the next tick */ }
  }
  setInterval(tick, 2000);
})();
