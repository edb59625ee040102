"""Mini-program API routes of this app (mounted under /api/v1/)."""

from django.urls import path

from marketing.api.coupons import CouponCenterListApi, CouponClaimApi, CouponListApi, CouponUsableApi
from marketing.api.quote import CartQuoteApi

urlpatterns: list = [
    path("coupons/center", CouponCenterListApi.as_view(), name="coupon-center"),
    path("coupons/claim", CouponClaimApi.as_view(), name="coupon-claim"),
    path("coupons/usable", CouponUsableApi.as_view(), name="coupons-usable"),
    path("me/coupons", CouponListApi.as_view(), name="me-coupons"),
    path("cart/quote", CartQuoteApi.as_view(), name="cart-quote"),
]
