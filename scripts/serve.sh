#!/usr/bin/env bash
# Runs the web server, a Celery worker and Celery beat in the foreground; Ctrl-C stops all three.
set -uo pipefail
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
BIN=$(dirname "$PY")
mkdir -p var/celery/queue var/celery/processed
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo "Stopping…"
  kill "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
}
trap cleanup INT TERM EXIT
"$PY" manage.py runserver "127.0.0.1:${PORT}" --noreload & pids+=($!)
"$BIN/celery" -A mall worker --loglevel INFO --concurrency 2 --pool threads & pids+=($!)
"$BIN/celery" -A mall beat --loglevel INFO & pids+=($!)
echo "Duoying Mall: http://127.0.0.1:${PORT}/admin/  API docs: http://127.0.0.1:${PORT}/api/docs/"
wait -n "${pids[@]}"
