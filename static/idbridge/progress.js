// Live progress of long jobs (idbridge.jobs): every element with data-job-url is polled
// for the one progress shape (busy, words, step, rate, time_left, error, retry_url; steps
// for a job of several steps, shown by its [data-step] items: class and data-step-status).
// The job runs on a worker: closing the page loses nothing; reopening it picks up here.
// When a job stops (finished, failed, or its worker gone), the page reloads to show the
// outcome, and Retry when it failed; with data-job-reload="failed", a job that finished
// only updates the element (its data-field values come with the progress) and a failed
// one still reloads the page, for its error and Retry.
(function () {
  const boxes = document.querySelectorAll("[data-job-url]");
  function show(box, s) {
    for (const el of box.querySelectorAll("[data-field]")) {
      const v = s[el.dataset.field];
      el.textContent = v === null || v === undefined || v === "" ? "—" : v;
    }
    for (const st of s.steps || []) {
      const li = box.querySelector(`[data-step="${st.step}"]`);
      if (!li) continue;
      li.className = st.status;
      const status = li.querySelector("[data-step-status]");
      if (status) status.textContent = st.status;
    }
    const bar = box.querySelector("progress");
    const text = box.querySelector("[data-progress-text]");
    if (!bar || !text) return;
    bar.hidden = !s.busy;
    if (!s.busy) return;
    if (s.total) { bar.max = s.total; bar.value = s.done; } else { bar.removeAttribute("value"); }
    const parts = [s.words];
    if (s.step) parts.push(s.step);
    if (s.rate_words) parts.push(s.rate_words);
    if (s.time_left) parts.push(s.time_left);
    text.textContent = parts.filter(Boolean).join(" · ");
  }
  function watch(box) {
    let wasBusy = box.dataset.busy === "true";
    let timer = null;
    async function tick() {
      try {
        const r = await fetch(box.dataset.jobUrl, { credentials: "same-origin", headers: { Accept: "application/json", "X-Background-Refresh": "1" } });
        if (r.status === 401 || r.redirected) { clearInterval(timer); window.location.reload(); return; } // signed out
        if (!r.ok) return;
        const s = await r.json();
        show(box, s);
        if (s.busy) {
          wasBusy = true;
        } else if (wasBusy) {
          wasBusy = false;
          if (box.dataset.jobReload === "failed" && s.job_state === "succeeded") {
            const text = box.querySelector("[data-progress-text]");
            if (text) text.textContent = `${s.label || "The job"} finished.`;
          } else {
            clearInterval(timer);
            window.location.reload();
          }
        }
      } catch (e) { /* network blip: next tick */ }
    }
    tick();
    timer = setInterval(tick, 1500);
  }
  boxes.forEach(watch);
})();
