from orders.models.after_sales import (
    AFTER_SALE_FINAL,
    AfterSale,
    AfterSaleKind,
    AfterSalePhoto,
    AfterSaleReason,
    AfterSaleStatus,
)
from orders.models.cart import CartItem
from orders.models.order import Order, OrderLine, OrderStatus
from orders.models.payment import Payment, PaymentNotice, Refund

__all__ = [
    "AFTER_SALE_FINAL",
    "AfterSale",
    "AfterSaleKind",
    "AfterSalePhoto",
    "AfterSaleReason",
    "AfterSaleStatus",
    "CartItem",
    "Order",
    "OrderLine",
    "OrderStatus",
    "Payment",
    "PaymentNotice",
    "Refund",
]
