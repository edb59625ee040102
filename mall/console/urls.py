"""Custom console pages beside the Django admin."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
