"""The Celery app. Periodic schedules live in ``mall.schedules`` (one place, in code)."""

import os
from pathlib import Path
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mall.settings.local")

app = Celery("mall")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def filesystem_broker_folders_ensure(options: dict[str, Any]) -> list[Path]:
    """Create the filesystem transport's folders: kombu does not, and the first task queued
    before ``make run``'s worker starts (``seed_demo`` queues some) would otherwise fail."""
    folders = [
        Path(options[key])
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
        if options.get(key)
    ]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders


@app.on_after_configure.connect
def _filesystem_broker_ready(sender: Celery, **kwargs: Any) -> None:
    if str(sender.conf.broker_url).startswith("filesystem://"):
        filesystem_broker_folders_ensure(sender.conf.broker_transport_options or {})
