"""Refusals of the analytics app (stable codes, Chinese messages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mall.errors import ApplicationError


class EventBatchInvalid(ApplicationError):
    code = "events_batch_invalid"
    status = 400
    default_message = _("行为事件批次格式有误。")


class EventBatchTooLarge(ApplicationError):
    code = "events_batch_too_large"
    status = 400
    default_message = _("每批最多 50 条行为事件。")


class SuggestionNotNew(ApplicationError):
    code = "suggestion_not_new"
    status = 409
    default_message = _("这条建议已处理过或不存在。")
