"""Mini-program API routes of this app (mounted under /api/v1/)."""

from django.urls import path

from marketing.api.bargains import (
    BargainCampaignDetailApi,
    BargainCampaignListApi,
    BargainDetailApi,
    BargainHelpApi,
    BargainShareDetailApi,
    BargainStartApi,
    MyBargainListApi,
)
from marketing.api.campaigns import CampaignDetailApi
from marketing.api.coupons import CouponCenterListApi, CouponClaimApi, CouponListApi, CouponUsableApi
from marketing.api.distribution import (
    AttributionClickApi,
    PromoterApplyApi,
    PromoterCentreApi,
    PromoterCustomerListApi,
    PromoterOrderListApi,
    WithdrawalCollectionApi,
)
from marketing.api.flash_sales import (
    FlashItemDetailApi,
    FlashPurchaseApi,
    FlashReleaseListApi,
    FlashReservationRoute,
    FlashSlotListApi,
)
from marketing.api.group_buys import (
    GroupBuyCampaignDetailApi,
    GroupBuyCampaignListApi,
    GroupDetailApi,
    GroupShareDetailApi,
    MyGroupListApi,
)
from marketing.api.invites import InviteCentreApi, InviteeListApi
from marketing.api.journeys import JourneyComebackApi
from marketing.api.live import (
    LiveFollowApi,
    LiveLotteryDetailApi,
    LiveLotteryEntriesApi,
    LiveRoomDetailApi,
    LiveRoomListApi,
    LiveShareApi,
    LiveShareResolveApi,
)
from marketing.api.pages import HomePageApi, PageDetailApi
from marketing.api.promotions import PromotionDetailApi
from marketing.api.quote import CartQuoteApi
from marketing.api.teams import TeamActivityDetailApi, TeamActivityListApi, TeamDetailApi, TeamJoinApi, TeamOpenApi
from marketing.api.wheel import WheelApi, WheelDrawApi, WheelMyPrizesApi

urlpatterns: list = [
    path("coupons/center", CouponCenterListApi.as_view(), name="coupon-center"),
    path("coupons/claim", CouponClaimApi.as_view(), name="coupon-claim"),
    path("coupons/usable", CouponUsableApi.as_view(), name="coupons-usable"),
    path("me/coupons", CouponListApi.as_view(), name="me-coupons"),
    path("me/comeback", JourneyComebackApi.as_view(), name="me-comeback"),
    path("cart/quote", CartQuoteApi.as_view(), name="cart-quote"),
    # F04 invite rewards
    path("me/invite", InviteCentreApi.as_view(), name="me-invite"),
    path("me/invite/invitees", InviteeListApi.as_view(), name="me-invite-invitees"),
    # F06 distribution
    path("promoter/apply", PromoterApplyApi.as_view(), name="promoter-apply"),
    path("promoter/clicks", AttributionClickApi.as_view(), name="promoter-click"),
    path("me/promoter", PromoterCentreApi.as_view(), name="me-promoter"),
    path("me/promoter/orders", PromoterOrderListApi.as_view(), name="me-promoter-orders"),
    path("me/promoter/customers", PromoterCustomerListApi.as_view(), name="me-promoter-customers"),
    path("me/promoter/withdrawals", WithdrawalCollectionApi.as_view(), name="me-promoter-withdrawals"),
    # 拼团 (F03): opening and joining are orders with a "group" deal (checkout/preview, orders)
    path("group-buys", GroupBuyCampaignListApi.as_view(), name="group-buy-campaigns"),
    path("campaigns/<int:campaign_id>", CampaignDetailApi.as_view(), name="campaign-detail"),
    path("group-buys/<int:campaign_id>", GroupBuyCampaignDetailApi.as_view(), name="group-buy-campaign"),
    path("groups/<int:group_id>", GroupDetailApi.as_view(), name="group-detail"),
    path("groups/share/<str:token>", GroupShareDetailApi.as_view(), name="group-share"),
    path("me/groups", MyGroupListApi.as_view(), name="me-groups"),
    path("teams/activities", TeamActivityListApi.as_view(), name="team-activities"),
    path("teams/activities/<int:activity_id>", TeamActivityDetailApi.as_view(), name="team-activity"),
    path("teams/activities/<int:activity_id>/open", TeamOpenApi.as_view(), name="team-open"),
    path("teams/<str:token>", TeamDetailApi.as_view(), name="team-detail"),
    path("teams/<str:token>/join", TeamJoinApi.as_view(), name="team-join"),
    # 助力砍价 (F05): buying is an order with a "bargain" deal
    path("bargains/campaigns", BargainCampaignListApi.as_view(), name="bargain-campaigns"),
    path("bargains/campaigns/<int:campaign_id>", BargainCampaignDetailApi.as_view(), name="bargain-campaign"),
    path("bargains/campaigns/<int:campaign_id>/start", BargainStartApi.as_view(), name="bargain-start"),
    path("bargains/<int:bargain_id>", BargainDetailApi.as_view(), name="bargain-detail"),
    path("bargains/share/<str:token>", BargainShareDetailApi.as_view(), name="bargain-share"),
    path("bargains/share/<str:token>/help", BargainHelpApi.as_view(), name="bargain-help"),
    path("me/bargains", MyBargainListApi.as_view(), name="me-bargains"),
    # F26 campaign pages: "home" first (no page may be called home)
    path("pages/home", HomePageApi.as_view(), name="page-home"),
    path("pages/<slug:key>", PageDetailApi.as_view(), name="page-detail"),
    path("promotions/<int:promotion_id>", PromotionDetailApi.as_view(), name="promotion-detail"),
    path("flash/slots", FlashSlotListApi.as_view(), name="flash-slots"),
    path("flash/releases", FlashReleaseListApi.as_view(), name="flash-releases"),
    path("flash/items/<int:item_id>", FlashItemDetailApi.as_view(), name="flash-item"),
    path("flash/items/<int:item_id>/purchase", FlashPurchaseApi.as_view(), name="flash-purchase"),
    path("flash/items/<int:item_id>/reservation", FlashReservationRoute.as_view(), name="flash-reservation"),
    # F21: the lucky wheel.
    path("wheel", WheelApi.as_view(), name="wheel"),
    path("wheel/draw", WheelDrawApi.as_view(), name="wheel-draw"),
    path("wheel/prizes", WheelMyPrizesApi.as_view(), name="wheel-prizes"),
    # F24: live selling (rooms mirrored from WeChat, follow, 评论抽奖, the share link of 粉丝专属价).
    path("live/rooms", LiveRoomListApi.as_view(), name="live-rooms"),
    path("live/rooms/<int:room_id>", LiveRoomDetailApi.as_view(), name="live-room"),
    path("live/rooms/<int:room_id>/follow", LiveFollowApi.as_view(), name="live-follow"),
    path("live/rooms/<int:room_id>/share", LiveShareApi.as_view(), name="live-share"),
    path("live/share/<str:token>", LiveShareResolveApi.as_view(), name="live-share-resolve"),
    path("live/lotteries/<int:lottery_id>", LiveLotteryDetailApi.as_view(), name="live-lottery"),
    path("live/lotteries/<int:lottery_id>/entries", LiveLotteryEntriesApi.as_view(), name="live-lottery-entries"),
]
