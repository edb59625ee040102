from orders.models.cart import CartItem
from orders.models.order import Order, OrderLine, OrderStatus
from orders.models.payment import Payment, PaymentNotice, Refund

__all__ = ["CartItem", "Order", "OrderLine", "OrderStatus", "Payment", "PaymentNotice", "Refund"]
