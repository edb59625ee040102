"""Mini-program API routes of this app (mounted under /api/v1/).

A plain list: the payments routes (``orders/<no>/pay``, ``payments/…``) are appended below.
"""

from django.urls import path

from orders.api.after_sales import (
    AfterSaleCancelApi,
    AfterSaleCollectionRoute,
    AfterSaleDetailApi,
    AfterSaleOptionsApi,
    AfterSalePhotoUploadApi,
    AfterSaleReturnShipApi,
)
from orders.api.cart import CartGetApi, CartItemAddApi, CartItemRoute
from orders.api.checkout import CheckoutPreviewApi
from orders.api.orders import OrderCancelApi, OrderCollectionRoute, OrderConfirmReceiptApi, OrderDetailApi
from orders.api.payments import OrderPayApi, PaymentSandboxCompleteApi, PaymentWechatNotifyApi

urlpatterns: list = [
    # cart and checkout
    path("cart", CartGetApi.as_view(), name="cart"),
    path("cart/items", CartItemAddApi.as_view(), name="cart-items"),
    path("cart/items/<int:item_id>", CartItemRoute.as_view(), name="cart-item"),
    path("checkout/preview", CheckoutPreviewApi.as_view(), name="checkout-preview"),
    # orders
    path("orders", OrderCollectionRoute.as_view(), name="orders"),
    path("orders/<str:no>", OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<str:no>/cancel", OrderCancelApi.as_view(), name="order-cancel"),
    path("orders/<str:no>/confirm-receipt", OrderConfirmReceiptApi.as_view(), name="order-confirm-receipt"),
    # payments (payments engineer)
    path("orders/<str:no>/pay", OrderPayApi.as_view(), name="order-pay"),
    path(
        "payments/sandbox/<str:out_trade_no>/complete",
        PaymentSandboxCompleteApi.as_view(),
        name="payment-sandbox-complete",
    ),
    path("payments/wechat/notify", PaymentWechatNotifyApi.as_view(), name="payment-wechat-notify"),
    # after-sales (P04)
    path("orders/<str:no>/after-sale-options", AfterSaleOptionsApi.as_view(), name="after-sale-options"),
    path("after-sales", AfterSaleCollectionRoute.as_view(), name="after-sales"),
    path("after-sales/photos", AfterSalePhotoUploadApi.as_view(), name="after-sale-photos"),
    path("after-sales/<str:no>", AfterSaleDetailApi.as_view(), name="after-sale-detail"),
    path("after-sales/<str:no>/cancel", AfterSaleCancelApi.as_view(), name="after-sale-cancel"),
    path("after-sales/<str:no>/return-shipment", AfterSaleReturnShipApi.as_view(), name="after-sale-return-ship"),
]
