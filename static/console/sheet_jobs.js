// 表格任务: poll the job's progress every second until it is done or failed, then reload the
// page once so the rows in error, the batches and the download link are shown.
(function () {
  var root = document.getElementById('dy-sheet-job');
  if (!root || root.dataset.finished === '1') return;
  var url = root.dataset.progressUrl;
  var bar = root.querySelector('[data-testid="job-progress"]');
  var fill = bar.querySelector('.dy-progress-bar');
  var status = root.querySelector('[data-testid="job-status"]');
  var text = root.querySelector('[data-testid="job-progress-text"]');
  function tick() {
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        fill.style.width = state.percent + '%';
        bar.setAttribute('aria-valuenow', state.percent);
        status.textContent = state.status_label;
        text.textContent = state.progress_text;
        if (state.finished) { window.location.reload(); return; }
        window.setTimeout(tick, 1000);
      })
      .catch(function () { window.setTimeout(tick, 3000); });
  }
  window.setTimeout(tick, 1000);
})();
