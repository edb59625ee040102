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


# --- distribution (F06) -------------------------------------------------------------------


class DistributionClosed(Conflict):
    code = "distribution_closed"
    default_message = _("分销活动未开启。")


class PromoterApplicationInvalid(ValidationFailed):
    code = "promoter_application_invalid"
    default_message = _("请填写真实姓名和手机号。")


class PromoterAlreadyApproved(Conflict):
    code = "promoter_already_approved"
    default_message = _("您已经是推广员。")


class PromoterDisabled(Conflict):
    code = "promoter_disabled"
    default_message = _("您的推广员资格已被停用，请联系商家。")


class PromoterNotFound(NotFound):
    code = "promoter_not_found"
    default_message = _("推广员不存在或未通过审核。")


class PromoterNotApproved(Conflict):
    code = "promoter_not_approved"
    default_message = _("您还不是推广员。")


class PromoterStatusInvalid(Conflict):
    code = "promoter_status_invalid"
    default_message = _("该推广员当前状态不能执行此操作。")


class AttributionSelf(Conflict):
    code = "attribution_self"
    default_message = _("不能通过自己的推广链接下单计佣。")


class WithdrawalBelowMinimum(ValidationFailed):
    code = "withdrawal_below_minimum"
    default_message = _("提现金额低于最低提现金额。")


class WithdrawalExceedsBalance(Conflict):
    code = "withdrawal_exceeds_balance"
    default_message = _("可提现佣金不足。")


class WithdrawalNotFound(NotFound):
    code = "withdrawal_not_found"
    default_message = _("提现申请不存在。")


class WithdrawalStatusInvalid(Conflict):
    code = "withdrawal_status_invalid"
    default_message = _("该提现申请已处理。")


class WithdrawalReviewInvalid(ValidationFailed):
    code = "withdrawal_review_invalid"
    default_message = _("请填写打款凭证号或拒绝原因。")


# --- group buy (F03) -------------------------------------------------------------------


class GroupBuyCampaignNotFound(NotFound):
    code = "group_buy_not_found"
    default_message = _("拼团活动不存在或已结束。")


class GroupBuyNotOpen(DealUnavailable):
    """The campaign is paused, ended or not started: no new group can be opened."""

    code = "group_buy_not_open"
    default_message = _("拼团活动未开始或已结束，暂不能开团。")


class GroupNotFound(NotFound):
    code = "group_not_found"
    default_message = _("团不存在或链接已失效。")


class GroupFull(DealUnavailable):
    code = "group_full"
    default_message = _("该团已满员，去开一个新团吧。")


class GroupClosed(DealUnavailable):
    """The group is not joinable: not open yet, completed, failed or past its deadline."""

    code = "group_closed"
    default_message = _("该团已结束，去开一个新团吧。")


class GroupAlreadyJoined(Conflict):
    code = "group_already_joined"
    default_message = _("您已在这个团里了。")


class GroupJoinNewOnly(Conflict):
    code = "group_join_new_only"
    default_message = _("该团仅限新用户参加。")


class GroupLimitReached(Conflict):
    code = "group_limit_reached"
    default_message = _("您参加该拼团活动的次数已达上限。")


class GroupNotClosable(Conflict):
    code = "group_not_closable"
    default_message = _("只有拼团中的团可以提前成团或结束。")


# --- bargain (F05) ---------------------------------------------------------------------


class BargainCampaignNotFound(NotFound):
    code = "bargain_campaign_not_found"
    default_message = _("砍价活动不存在或已结束。")


class BargainCampaignNotOpen(Conflict):
    code = "bargain_campaign_not_open"
    default_message = _("砍价活动未开始或已结束。")


class BargainSoldOut(DealUnavailable):
    code = "bargain_sold_out"
    default_message = _("砍价商品已被抢光。")


class BargainLimitReached(Conflict):
    code = "bargain_limit_reached"
    default_message = _("您发起该砍价的次数已达上限。")


class BargainNotFound(NotFound):
    code = "bargain_not_found"
    default_message = _("砍价不存在或链接已失效。")


class BargainClosed(DealUnavailable):
    """The bargain takes no more help: bought, ordered, expired, or the floor was reached."""

    code = "bargain_closed"
    default_message = _("该砍价已结束，不能再帮砍了。")


class BargainAlreadyHelped(Conflict):
    code = "bargain_already_helped"
    default_message = _("您已经帮好友砍过了。")


class BargainSelfHelp(Conflict):
    code = "bargain_self_help"
    default_message = _("不能给自己砍价，快分享给好友吧。")


class BargainHelperNewOnly(Conflict):
    code = "bargain_helper_new_only"
    default_message = _("该砍价仅限新用户帮砍。")


class BargainHelpLimited(Conflict):
    """Farming limits: helps per day, per network, per device."""

    code = "bargain_help_limited"
    default_message = _("帮砍次数已达上限。")


class BargainPriceChanged(DealUnavailable):
    """A friend's help lowered the price between the preview and the order: place it again."""

    code = "bargain_price_changed"
    default_message = _("砍价价格已更新，请重新下单。")


class GroupPaymentRequired(Conflict):
    """A failed group is refunded through the payment provider, so a group order must be paid there."""

    code = "group_payment_required"
    default_message = _("拼团订单需在线支付，不能用优惠全额抵扣。")


# --- flash sales (F02) and limited releases (F12) ---------------------------------------


class FlashItemNotFound(DealNotFound):
    code = "flash_item_not_found"
    default_message = _("秒杀商品不存在或未发布。")


class FlashSlotNotFound(NotFound):
    code = "flash_slot_not_found"
    default_message = _("秒杀场次不存在。")


class FlashNotStarted(DealUnavailable):
    code = "flash_not_started"
    default_message = _("秒杀尚未开始，请留意倒计时。")


class FlashEnded(DealUnavailable):
    code = "flash_ended"
    default_message = _("秒杀已结束。")


class FlashPaused(DealUnavailable):
    code = "flash_paused"
    default_message = _("秒杀暂停中，请稍后再试。")


class FlashSoldOut(DealUnavailable):
    code = "flash_sold_out"
    default_message = _("已抢光。")


class FlashLimitReached(PurchaseLimitExceeded):
    """Same code as the engine's per-user limit: the shopper already holds their share."""

    default_message = _("您已达到该秒杀商品的限购数量。")


class FlashOrderLimitExceeded(ValidationFailed):
    code = "flash_order_limit_exceeded"
    default_message = _("超出每单限购数量。")


class FlashInvalid(ValidationFailed):
    """A slot, item or plan the merchant entered cannot run; ``details.errors`` per field."""

    code = "flash_invalid"
    default_message = _("秒杀设置有误。")


class FlashStateInvalid(Conflict):
    """The merchant's action does not fit the slot's state (editing a published slot, …)."""

    code = "flash_state_invalid"
    default_message = _("当前状态下不能进行该操作。")


class FlashShelfShort(Conflict):
    code = "flash_shelf_short"
    default_message = _("商品库存不足，无法划出秒杀库存。")


class FlashReservationNotNeeded(Conflict):
    code = "flash_reservation_not_needed"
    default_message = _("商品仍可购买，无需预约。")


# --- lifecycle journeys ---------------------------------------------------------------


class JourneyInvalid(ValidationFailed):
    code = "journey_invalid"
    default_message = _("旅程设置有误。")


class CouponGrantInvalid(ValidationFailed):
    """A grant to a sheet that cannot start (template off, empty or too long sheet, stale form)."""

    code = "coupon_grant_invalid"
    default_message = _("名单无法发券。")


# --- campaign pages (F26) ---------------------------------------------------------------


class PageNotFound(NotFound):
    code = "page_not_found"
    default_message = _("页面不存在或未发布。")


class PageInvalid(ValidationFailed):
    """A page or block setting refused on save; ``details["errors"]`` maps each field to its message."""

    code = "page_invalid"
    default_message = _("页面设置有误。")


class PageStateInvalid(Conflict):
    code = "page_state_invalid"
    default_message = _("页面当前状态不允许该操作。")


# --- the campaign studio (issue 17 §1, §5, §7) ------------------------------------------------


class CampaignNotFound(NotFound):
    code = "campaign_not_found"
    default_message = _("营销活动不存在。")


class CampaignInvalid(ValidationFailed):
    """A campaign's fields or a live adjustment do not hold (``details.errors`` per field)."""

    code = "campaign_invalid"
    default_message = _("营销活动设置有误。")


class CampaignStateInvalid(Conflict):
    code = "campaign_state_invalid"
    default_message = _("营销活动当前状态下不能进行该操作。")


class CampaignToolTaken(Conflict):
    code = "campaign_tool_taken"
    default_message = _("该营销工具已属于另一个营销活动。")


class CampaignToolUnsupported(Conflict):
    """The tool kind has no such live adjustment (a promotion has no stock to add)."""

    code = "campaign_tool_unsupported"
    default_message = _("该营销工具不支持这项调整。")


class CampaignBudgetSpent(DealUnavailable):
    """Placing the order would take the campaign past its discount or use budget (a revived
    order's payment is refunded, like any deal that is gone)."""

    code = "campaign_budget_spent"
    default_message = _("活动太火爆，优惠预算已用完，请刷新后重新下单。")


# --- team split (F22) ------------------------------------------------------------------


class TeamActivityNotFound(NotFound):
    code = "team_activity_not_found"
    default_message = _("组队瓜分活动不存在。")


class TeamActivityNotOpen(Conflict):
    code = "team_activity_not_open"
    default_message = _("组队瓜分活动未开始或已结束。")


class TeamNotFound(NotFound):
    code = "team_not_found"
    default_message = _("团队不存在。")


class TeamFull(Conflict):
    code = "team_full"
    default_message = _("该团队已满员，去开一个新团队吧。")


class TeamClosed(Conflict):
    code = "team_closed"
    default_message = _("该团队已截止，不能再加入。")


class TeamAlreadyJoined(Conflict):
    code = "team_already_joined"
    default_message = _("您已在本活动的一个团队里了。")


class TeamActivityInvalid(ValidationFailed):
    code = "team_activity_invalid"
    default_message = _("组队瓜分活动设置有误。")


# --- what-if replay (B01) -------------------------------------------------------------


class WhatIfRunNotFound(NotFound):
    code = "whatif_run_not_found"
    default_message = _("模拟记录不存在。")


class WhatIfDaysInvalid(ValidationFailed):
    code = "whatif_days_invalid"
    default_message = _("回放天数须在 1 到 366 之间。")


# --- lucky wheel (F21) ------------------------------------------------------------------


class WheelClosed(Conflict):
    code = "wheel_closed"
    default_message = _("幸运大转盘暂未开放。")


class WheelNoChance(Conflict):
    code = "wheel_no_chance"
    default_message = _("您还没有抽奖机会，下单满额即可获得。")


class WheelDailyLimit(Conflict):
    code = "wheel_daily_limit"
    default_message = _("今天的抽奖次数已用完，明天再来吧。")


class WheelFrozen(Conflict):
    code = "wheel_frozen"
    default_message = _("已发布的大转盘不能直接修改奖品和概率，请复制为新版本后修改。")


class WheelInvalid(ValidationFailed):
    code = "wheel_invalid"
    default_message = _("大转盘设置有误。")


class WheelNotFound(NotFound):
    code = "wheel_not_found"
    default_message = _("大转盘不存在。")


# --- campaign templates (F27) ------------------------------------------------------------------


class CampaignTemplateInvalid(ValidationFailed):
    """A template's JSON does not hold (``details.errors`` maps a path such as ``tools.2.rules`` to why)."""

    code = "campaign_template_invalid"
    default_message = _("活动模板内容有误。")


class CampaignTemplateNotFound(NotFound):
    code = "campaign_template_not_found"
    default_message = _("活动模板不存在。")


# --- live selling (F24) ------------------------------------------------------------------------


class LiveWeChatRefused(Conflict):
    """WeChat's live service refused the call (300xxx); the message says why in the merchant's words."""

    code = "live_wechat_refused"
    default_message = _("微信直播服务拒绝了这次操作。")


class LiveRoomNotFound(NotFound):
    code = "live_room_not_found"
    default_message = _("直播间不存在。")


class LiveInvalid(ValidationFailed):
    code = "live_invalid"
    default_message = _("直播设置有误。")


class LiveSyncBusy(Conflict):
    code = "live_sync_busy"
    default_message = _("直播间正在同步，请稍后再试。")


class LiveLotteryNotFound(NotFound):
    code = "live_lottery_not_found"
    default_message = _("抽奖不存在。")


class LiveLotteryClosed(Conflict):
    code = "live_lottery_closed"
    default_message = _("不在抽奖参与时间内。")


class LiveLotteryKeywordWrong(ValidationFailed):
    code = "live_lottery_keyword_wrong"
    default_message = _("口令不对，请发送直播间公布的口令。")


class LiveLotteryAlreadyEntered(Conflict):
    code = "live_lottery_already_entered"
    default_message = _("您已参与过这次抽奖。")


class LiveLotteryAlreadyDrawn(Conflict):
    code = "live_lottery_already_drawn"
    default_message = _("这次抽奖已经开奖。")


class LiveLotteryNotClosed(Conflict):
    code = "live_lottery_not_closed"
    default_message = _("参与时间结束后才能开奖。")


class LiveShareTokenInvalid(ValidationFailed):
    code = "live_share_token_invalid"
    default_message = _("直播间分享链接无效或已过期，请从直播间重新进入。")


class LiveFanOnly(Conflict):
    code = "live_fan_only"
    default_message = _("粉丝专属价仅限关注直播间的粉丝，请先关注直播间。")


class LiveFanPriceSoldOut(Conflict):
    code = "live_fan_price_sold_out"
    default_message = _("粉丝专属价名额已抢完。")


class LiveFanPriceNotFound(NotFound):
    code = "live_fan_price_not_found"
    default_message = _("粉丝专属价不存在或已下架。")
