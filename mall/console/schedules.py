"""计划任务: the shop's scheduled jobs, read-only, in the merchant's words.

Beat's own models (周期性任务, 定时, 间隔 …, English task names) are a developer's tool: the
console shows them only with ``CONSOLE_DEVELOPER_TOOLS`` on. Every merchant who may see the
jobs gets this page instead: what each job does, how often, when it last ran.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from mall.selectors.schedules import scheduled_jobs

PERMISSION = "django_celery_beat.view_periodictask"


def scheduled_jobs_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    context = {**admin.site.each_context(request), "title": _("计划任务"), "jobs": scheduled_jobs()}
    return TemplateResponse(request, "admin/console/scheduled_jobs.html", context)
