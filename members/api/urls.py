"""Mini-program API routes of this app (mounted under /api/v1/)."""

from django.urls import path

from members.api.addresses import AddressCollectionApi, AddressItemApi, AddressSetDefaultApi
from members.api.auth import MemberLoginDevApi, MemberLoginWechatApi, MemberTokenRefreshApi
from members.api.captcha import CaptchaCreateApi, CaptchaVerifyApi
from members.api.checkin import MemberCheckInApi, MemberCheckInMakeupApi
from members.api.early_access import MemberEarlyAccessListApi
from members.api.messages import MessageListApi, MessageReadApi
from members.api.points import MemberPointsGetApi
from members.api.profile import MemberAvatarUploadApi, MemberMeApi, MemberPhoneBindWechatApi
from members.api.subscriptions import SubscribeConsentRecordApi, SubscribeTemplateListApi
from members.api.tiers import MemberTierBuyApi, MemberTierGetApi, PointsMallItemListApi, PointsMallRedeemApi

urlpatterns = [
    path("auth/wechat-login", MemberLoginWechatApi.as_view(), name="auth-wechat-login"),
    path("auth/dev-login", MemberLoginDevApi.as_view(), name="auth-dev-login"),
    path("auth/refresh", MemberTokenRefreshApi.as_view(), name="auth-refresh"),
    path("captcha", CaptchaCreateApi.as_view(), name="captcha-create"),
    path("captcha/verify", CaptchaVerifyApi.as_view(), name="captcha-verify"),
    path("me", MemberMeApi.as_view(), name="me"),
    path("me/avatar", MemberAvatarUploadApi.as_view(), name="me-avatar"),
    path("me/phone/wechat", MemberPhoneBindWechatApi.as_view(), name="me-phone-wechat"),
    path("me/points", MemberPointsGetApi.as_view(), name="me-points"),
    path("me/messages", MessageListApi.as_view(), name="me-messages"),
    path("me/early-access", MemberEarlyAccessListApi.as_view(), name="me-early-access"),
    path("me/checkin", MemberCheckInApi.as_view(), name="me-checkin"),
    path("me/checkin/makeup", MemberCheckInMakeupApi.as_view(), name="me-checkin-makeup"),
    path("me/tier", MemberTierGetApi.as_view(), name="me-tier"),
    path("me/tier/buy", MemberTierBuyApi.as_view(), name="me-tier-buy"),
    path("points-mall/items", PointsMallItemListApi.as_view(), name="points-mall-items"),
    path("points-mall/items/<int:item_id>/redeem", PointsMallRedeemApi.as_view(), name="points-mall-redeem"),
    path("me/messages/read", MessageReadApi.as_view(), name="me-messages-read"),
    path("subscribe/templates", SubscribeTemplateListApi.as_view(), name="subscribe-templates"),
    path("me/subscriptions", SubscribeConsentRecordApi.as_view(), name="me-subscriptions"),
    path("addresses", AddressCollectionApi.as_view(), name="addresses"),
    path("addresses/<int:address_id>", AddressItemApi.as_view(), name="address"),
    path("addresses/<int:address_id>/set-default", AddressSetDefaultApi.as_view(), name="address-set-default"),
]
