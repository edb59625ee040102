"""Behaviour events (open, join, help, view…) recorded for later rollups."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    name = models.CharField(_("事件"), max_length=64, db_index=True)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    props = models.JSONField(_("属性"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("行为事件")
        verbose_name_plural = _("行为事件")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.name
