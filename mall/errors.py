"""The one error vocabulary: services raise ApplicationError subclasses with a stable code.

The API's exception handler turns them into ``{"code", "message", "details"}`` with a 4xx;
console views show the same message. Messages are lazily translated, Chinese first.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """Base for every business-rule refusal. Subclasses set ``code``, ``status`` and ``default_message``."""

    code: ClassVar[str] = "application_error"
    status: ClassVar[int] = 400
    default_message: ClassVar[str | Promise] = _("请求无法处理。")

    def __init__(self, message: str | Promise | None = None, *, details: dict[str, Any] | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.details = details or {}
        super().__init__(str(self.message))


class NotFound(ApplicationError):
    code = "not_found"
    status = 404
    default_message = _("找不到该对象。")


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    status = 403
    default_message = _("没有权限执行该操作。")


class ValidationFailed(ApplicationError):
    code = "invalid_input"
    status = 400
    default_message = _("输入有误。")


class Conflict(ApplicationError):
    code = "conflict"
    status = 409
    default_message = _("操作与当前状态冲突。")
