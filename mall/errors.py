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


class ServiceUnavailable(ApplicationError):
    """A backing service (the database, Redis) is unreachable for now: 503 with ``Retry-After``.

    Raised by pieces that must not answer without their store (the captcha's single-use
    passes); the exception handler also turns connection errors of the database and Redis into
    this answer, so an outage is a clear "try again shortly", never a 500.
    """

    code = "service_unavailable"
    status = 503
    default_message = _("服务暂时繁忙，请稍后再试。")
    retry_after = 3


# --- catalogue (P01) ------------------------------------------------------------------


class CategoryCycle(ValidationFailed):
    code = "category_cycle"
    default_message = _("不能把分类移动到它自己或它的下级分类之下。")


class CategoryNameTaken(Conflict):
    code = "category_name_taken"
    default_message = _("同一上级分类下已有同名分类。")


class CategoryInUse(Conflict):
    code = "category_in_use"
    default_message = _("分类下还有子分类或商品，不能删除。")


class ProductTagNameTaken(Conflict):
    code = "product_tag_name_taken"
    default_message = _("已有同名标签。")


class SkuCodeTaken(Conflict):
    code = "sku_code_taken"
    default_message = _("SKU 编码已被其他商品使用。")


class ProductWithoutSku(ValidationFailed):
    code = "product_without_sku"
    default_message = _("商品至少需要一个启用的 SKU 才能上架。")


class StockWouldGoNegative(Conflict):
    code = "stock_would_go_negative"
    default_message = _("库存不足，调整后库存不能小于 0。")


# --- request bodies (any API endpoint) ------------------------------------------------


class RequestBodyTooDeep(ValidationFailed):
    code = "request_too_deep"
    default_message = _("请求内容嵌套层数过多。")


class RequestBodyTooLarge(ApplicationError):
    code = "request_too_large"
    status = 413
    default_message = _("请求内容过大。")


# --- duty roster and staff alerts (F31) -----------------------------------------------


class DutyShiftInvalid(ValidationFailed):
    """A shift's fields do not hold (``details["errors"]`` per field)."""

    code = "duty_shift_invalid"
    default_message = _("值班安排有误。")


class DutyShiftNotFound(NotFound):
    code = "duty_shift_not_found"
    default_message = _("值班安排不存在。")


class WeComRobotRefused(ApplicationError):
    """The 企业微信 group robot answered with errcode != 0 (bad key, rate limit, bad message)."""

    code = "wecom_robot_refused"
    status = 502
    default_message = _("企业微信群机器人拒绝了消息。")


class WeComRobotUnavailable(ServiceUnavailable):
    code = "wecom_robot_unavailable"
    default_message = _("企业微信暂时无法连接，请稍后再试。")
