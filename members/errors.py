"""Refusals of the members app: login, profile, addresses, points. Stable codes, Chinese messages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mall.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed


# --- WeChat -------------------------------------------------------------------------------
class WeChatCodeInvalid(ApplicationError):
    """The wx.login code is unknown, expired or already used: the mini-program should log in again."""

    code = "wechat_code_invalid"
    status = 400
    default_message = _("微信登录凭证无效或已过期，请重新登录。")


class WeChatRateLimited(ApplicationError):
    """WeChat refused the call because the app exceeded its quota; retrying shortly may work."""

    code = "wechat_rate_limited"
    status = 429
    default_message = _("微信接口调用过于频繁，请稍后再试。")


class WeChatUnavailable(ApplicationError):
    """WeChat is busy, unreachable, answered nonsense, or the app is not configured for it."""

    code = "wechat_unavailable"
    status = 503
    default_message = _("微信服务暂时不可用，请稍后再试。")


class WeChatSubscribeRefused(ApplicationError):
    """The shopper has not granted (or has used up) the subscription for this template."""

    code = "wechat_subscribe_refused"
    status = 409
    default_message = _("用户未订阅该消息。")


# --- accounts and tokens ----------------------------------------------------------------
class MemberBlocked(PermissionDenied):
    code = "member_blocked"
    default_message = _("账号已被封禁，请联系客服。")


class TokenInvalid(ApplicationError):
    code = "token_invalid"
    status = 401
    default_message = _("登录已失效，请重新登录。")


# --- profile ------------------------------------------------------------------------------
class NicknameInvalid(ValidationFailed):
    code = "nickname_invalid"
    default_message = _("昵称需为 1 到 64 个字符。")


class PhoneInvalid(ValidationFailed):
    code = "phone_invalid"
    default_message = _("请输入 11 位中国大陆手机号。")


class AvatarUrlInvalid(ValidationFailed):
    code = "avatar_url_invalid"
    default_message = _("头像地址无效。")


class AvatarInvalid(ValidationFailed):
    code = "avatar_invalid"
    default_message = _("头像无效：仅支持 JPG、PNG、WEBP 格式，且不超过 2 MB。")


class PhoneCodeInvalid(ValidationFailed):
    """WeChat refused the getPhoneNumber code (unknown, expired or used): ask the shopper again."""

    code = "phone_code_invalid"
    default_message = _("手机号授权已失效，请重新授权。")


class PhoneWatermarkMismatch(ValidationFailed):
    """The phone number WeChat returned was issued for another mini-program (watermark appid)."""

    code = "phone_watermark_mismatch"
    default_message = _("手机号授权不属于本小程序，请重新授权。")


class BirthdayInvalid(ValidationFailed):
    code = "birthday_invalid"
    default_message = _("生日日期无效。")


class BirthdayAlreadySet(Conflict):
    """Birthday perks (the birthday coupon) would be farmable if the date could move."""

    code = "birthday_already_set"
    default_message = _("生日设置后不可修改。")


# --- addresses ----------------------------------------------------------------------------
class AddressInvalid(ValidationFailed):
    code = "address_invalid"
    default_message = _("收货地址信息不完整。")


class AddressLimitReached(Conflict):
    code = "address_limit_reached"
    default_message = _("收货地址数量已达上限。")


class AddressDefaultRequired(Conflict):
    code = "address_default_required"
    default_message = _("请先将其他地址设为默认地址。")


# --- points -------------------------------------------------------------------------------
class PointsAmountInvalid(ValidationFailed):
    code = "points_amount_invalid"
    default_message = _("积分数量无效。")


class PointsInsufficient(Conflict):
    code = "points_insufficient"
    default_message = _("积分不足。")


class SubscribeTemplateInvalid(ValidationFailed):
    code = "subscribe_template_invalid"
    default_message = _("订阅消息模板设置有误：请检查消息类型、模板 ID 和字段映射（如 thing1 → title）。")


# --- anti-abuse (F45) ---------------------------------------------------------------------
class AccessBlocked(PermissionDenied):
    """The account, IP address or device is on the merchant's block list (which one is not said)."""

    code = "access_blocked"
    default_message = _("当前访问已被限制，请联系客服。")


class ActionRateLimited(ApplicationError):
    """Too many requests of one guarded action by this shopper or address (``details.action``,
    ``details.retry_after`` in seconds): the same code as the views' throttles."""

    code = "rate_limited"
    status = 429
    default_message = _("请求过于频繁，请稍后再试。")


class CaptchaRequired(PermissionDenied):
    """Show the slider for ``details.action``, then retry with the pass in ``X-Captcha-Pass``."""

    code = "captcha_required"
    default_message = _("请先完成滑块验证。")


class CaptchaPassInvalid(PermissionDenied):
    """The pass is forged, or was issued to another shopper or for another action."""

    code = "captcha_pass_invalid"
    default_message = _("验证凭证无效，请重新验证。")


class CaptchaPassExpired(PermissionDenied):
    code = "captcha_pass_expired"
    default_message = _("验证凭证已过期，请重新验证。")


class CaptchaPassUsed(PermissionDenied):
    code = "captcha_pass_used"
    default_message = _("验证凭证已使用，请重新验证。")


class CaptchaExpired(ApplicationError):
    """The puzzle is unknown, expired or already answered (each puzzle takes one attempt)."""

    code = "captcha_expired"
    status = 400
    default_message = _("验证已失效，请刷新后重试。")


class CaptchaFailed(ApplicationError):
    """The slider was not dropped on the gap, or the drag did not look like a person's."""

    code = "captcha_failed"
    status = 400
    default_message = _("验证未通过，请重试。")


class BlockValueInvalid(ValidationFailed):
    code = "block_value_invalid"
    default_message = _("请填写有效的 IP 地址、网段（如 10.0.0.0/24）或设备号。")


class BlockEntryExists(Conflict):
    code = "block_entry_exists"
    default_message = _("该 IP 或设备已在黑名单中。")


class GuardSettingsInvalid(ValidationFailed):
    code = "guard_settings_invalid"
    default_message = _("防刷设置有误。")


# --- tiers and the points mall (F14, F15) ---------------------------------------------------
class FreeShippingUsesExhausted(Conflict):
    code = "free_shipping_uses_exhausted"
    default_message = _("本月会员包邮次数已用完。")


class TierNotForSale(Conflict):
    code = "tier_not_for_sale"
    default_message = _("下一等级暂不支持用积分购买。")


class TierRuleInvalid(ValidationFailed):
    code = "tier_rule_invalid"
    default_message = _("等级门槛须为正数，且高等级的门槛须高于低等级。")


class PointsMallItemNotFound(ApplicationError):
    code = "points_mall_item_not_found"
    status = 404
    default_message = _("积分商品不存在或已下架。")


class PointsMallSoldOut(Conflict):
    code = "points_mall_sold_out"
    default_message = _("该积分商品已兑完。")


class PointsMallLimitReached(Conflict):
    code = "points_mall_limit_reached"
    default_message = _("已达到该商品的每人兑换上限。")


# --- members brought over from the old shop (sheets engineer) -----------------------------


class MemberImportInvalid(ValidationFailed):
    """A members sheet with at least one bad row; ``details["rows"]`` says which and why. Nothing is saved."""

    code = "member_import_invalid"
    default_message = _("会员表中有错误，没有导入任何会员。")


# --- check-in (F20) -------------------------------------------------------------------------
class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"
    default_message = _("今天已经签到过了，明天再来吧。")


class CheckInClosed(Conflict):
    code = "checkin_closed"
    default_message = _("签到活动暂未开放。")


class MakeupNotAllowed(ValidationFailed):
    code = "makeup_not_allowed"
    default_message = _("该日期不能补签。")


class CheckInRuleInvalid(ValidationFailed):
    code = "checkin_rule_invalid"
    default_message = _("签到规则有误：积分和天数须为正数，补签天数不超过 30 天，等级倍数须在 1 到 10 倍之间。")
