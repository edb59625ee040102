"""Mini-program API routes of this app (mounted under /api/v1/)."""

from django.urls import path

from marketing.api.coupons import CouponCenterListApi, CouponClaimApi, CouponListApi, CouponUsableApi
from marketing.api.distribution import (
    AttributionClickApi,
    PromoterApplyApi,
    PromoterCentreApi,
    PromoterCustomerListApi,
    PromoterOrderListApi,
    WithdrawalCollectionApi,
)
from marketing.api.invites import InviteCentreApi, InviteeListApi
from marketing.api.quote import CartQuoteApi

urlpatterns: list = [
    path("coupons/center", CouponCenterListApi.as_view(), name="coupon-center"),
    path("coupons/claim", CouponClaimApi.as_view(), name="coupon-claim"),
    path("coupons/usable", CouponUsableApi.as_view(), name="coupons-usable"),
    path("me/coupons", CouponListApi.as_view(), name="me-coupons"),
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
]
