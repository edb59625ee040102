"""Duoying Mall project package: settings, URLs, the Celery app and the catalogue."""

from mall.celery import app as celery_app

__all__ = ["celery_app"]
