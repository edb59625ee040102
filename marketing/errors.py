"""Stable error codes of coupons, promotions and pricing (Chinese first, English via locale/en)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mall.errors import ApplicationError, Conflict, NotFound, ValidationFailed

# --- coupons --------------------------------------------------------------------------


class CouponTemplateNotFound(NotFound):
    code = "coupon_template_not_found"
    default_message = _("优惠券不存在。")


class CouponNotClaimable(Conflict):
    code = "coupon_not_claimable"
    default_message = _("该优惠券当前不可领取。")


class CouponSoldOut(Conflict):
    code = "coupon_sold_out"
    default_message = _("优惠券已被领完。")


class CouponLimitReached(Conflict):
    code = "coupon_limit_reached"
    default_message = _("您已达到该优惠券的领取上限。")


class CouponNewUserOnly(Conflict):
    code = "coupon_new_user_only"
    default_message = _("该优惠券仅限新用户领取。")


class CouponNotFound(NotFound):
    code = "coupon_not_found"
    default_message = _("优惠券不存在。")


class CouponUnavailable(Conflict):
    """The coupon was used (perhaps by a concurrent order) or has expired."""

    code = "coupon_unavailable"
    default_message = _("优惠券已使用或已过期。")


class CouponNotUsable(Conflict):
    code = "coupon_not_usable"
    default_message = _("所选优惠券不满足本单的使用条件。")


class CouponConflict(Conflict):
    code = "coupon_conflict"
    default_message = _("所选优惠券不能同时使用。")


# --- promotions and pricing -----------------------------------------------------------


class PurchaseLimitExceeded(Conflict):
    code = "purchase_limit_exceeded"
    default_message = _("超出活动限购数量。")


class PricingRequestInvalid(ValidationFailed):
    code = "pricing_invalid"
    default_message = _("无法计算价格：请求有误。")


class RulesInvalid(ValidationFailed):
    """A promotion, coupon template or policy the engine could not run; ``details`` names the field."""

    code = "rules_invalid"
    default_message = _("规则无效。")


class PromotionNotFound(NotFound):
    code = "promotion_not_found"
    default_message = _("促销活动不存在。")


PRICING_ERRORS: dict[str, type[ApplicationError]] = {
    "coupon_not_found": CouponNotFound,
    "coupon_not_usable": CouponNotUsable,
    "coupon_conflict": CouponConflict,
    "purchase_limit_exceeded": PurchaseLimitExceeded,
    "invalid_request": PricingRequestInvalid,
}
"""The engine's ``PricingError.code`` → the API's error class."""


# --- deals (orders through a marketing tool: flash sale, group buy, bargain) -----------------


class DealInvalid(ValidationFailed):
    code = "deal_invalid"
    default_message = _("活动参数有误。")


class DealNotFound(NotFound):
    code = "deal_not_found"
    default_message = _("活动不存在或已结束。")


class DealUnavailable(Conflict):
    """The tool has nothing left for this order (sold out, group full, bargain closed)."""

    code = "deal_unavailable"
    default_message = _("活动名额已满或已结束。")
