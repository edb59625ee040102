"""Mini-program API routes of this app (mounted under /api/v1/)."""

from django.urls import path

from analytics.api.events import EventBatchApi

urlpatterns: list = [
    path("events/batch", EventBatchApi.as_view(), name="events_batch"),
]
