// Live progress of a Business Office job (HR file check, pre-flight, sync step).
// The job runs in Celery: closing the page loses nothing; reopening it picks up here.
(function () {
  const box = document.querySelector("[data-progress-url]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  let wasBusy = box.dataset.busy === "true";
  function duration(seconds) {
    if (seconds == null) return "";
    if (seconds < 60) return `${seconds} s`;
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return m < 60 ? `${m} min ${s} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
  }
  async function tick() {
    try {
      const r = await fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!r.ok) return;
      const s = await r.json();
      for (const el of box.querySelectorAll("[data-field]")) {
        const v = s[el.dataset.field];
        el.textContent = v === null || v === undefined || v === "" ? "—" : v;
      }
      if (s.busy) {
        bar.hidden = false;
        if (s.total) { bar.max = s.total; bar.value = s.done; } else { bar.removeAttribute("value"); }
        const parts = [s.total ? `${s.done} of ${s.total}` : `${s.done} done`];
        if (s.rate) parts.push(`${s.rate}/s`);
        if (s.eta_seconds !== null && s.eta_seconds !== undefined) parts.push(`about ${duration(s.eta_seconds)} left`);
        text.textContent = parts.join(" · ");
        wasBusy = true;
      } else if (wasBusy) {
        window.location.reload();
      }
    } catch (e) { /* network blip: next tick */ }
  }
  tick();
  setInterval(tick, 1500);
})();
