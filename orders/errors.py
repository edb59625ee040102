"""Stable error codes of carts, checkout and orders (payments append theirs below)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mall.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed

# --- cart and checkout input ----------------------------------------------------------


class CartItemNotFound(NotFound):
    code = "cart_item_not_found"
    default_message = _("购物车中没有该商品。")


class CartEmpty(ValidationFailed):
    code = "cart_empty"
    default_message = _("购物车中没有选中的商品。")


class InvalidQuantity(ValidationFailed):
    code = "invalid_qty"
    default_message = _("购买数量无效：每种商品需买 1–99 件。")


class SkuNotFound(ValidationFailed):
    code = "sku_not_found"
    default_message = _("商品规格不存在。")


class SkuUnavailable(Conflict):
    code = "sku_unavailable"
    default_message = _("商品已下架或不可购买。")


class StockInsufficient(Conflict):
    code = "stock_insufficient"
    default_message = _("库存不足。")


class AddressNotFound(NotFound):
    code = "address_not_found"
    default_message = _("收货地址不存在。")


class IdempotencyKeyRequired(ValidationFailed):
    code = "idempotency_key_required"
    default_message = _("缺少 Idempotency-Key 请求头。")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_message = _("该 Idempotency-Key 已用于另一笔不同的下单请求。")


# --- orders ---------------------------------------------------------------------------


class OrderNotFound(NotFound):
    code = "order_not_found"
    default_message = _("订单不存在。")


class OrderStatusInvalid(Conflict):
    code = "order_status_invalid"
    default_message = _("订单当前状态不允许该操作。")


class OrderOnHold(Conflict):
    """A group-buy order waits for its group to complete before it may ship (F03)."""

    code = "order_on_hold"
    default_message = _("订单暂不能发货：拼团尚未成功。")


class PaymentAmountMismatch(ApplicationError):
    code = "payment_amount_mismatch"
    status = 409
    default_message = _("支付金额与订单应付金额不一致。")


class StaffRequired(PermissionDenied):
    code = "staff_required"
    default_message = _("只有商家员工可以执行该操作。")


class ShippingInfoRequired(ValidationFailed):
    code = "shipping_info_required"
    default_message = _("请填写快递公司和运单号。")


class BulkShipInvalid(ValidationFailed):
    """A bulk-ship sheet with at least one bad row; ``details["rows"]`` says which and why."""

    code = "bulk_ship_invalid"
    default_message = _("发货表中有错误，所有订单均未发货。")


# --- payments and refunds (payments engineer) -----------------------------------------


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    default_message = _("订单当前不可支付（已支付、已取消或已超时）。")


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    default_message = _("支付单不存在。")


class PaymentProviderUnavailable(ApplicationError):
    code = "payment_provider_unavailable"
    status = 503
    default_message = _("支付渠道暂时不可用，请稍后再试。")


class PaymentNoticeRejected(ApplicationError):
    """A provider callback that failed a check; nothing was written for it."""

    code = "payment_notice_rejected"
    status = 400
    default_message = _("支付通知未通过校验。")


class PaymentNoticeSignatureInvalid(PaymentNoticeRejected):
    code = "payment_notice_signature_invalid"
    status = 401
    default_message = _("支付通知签名无效。")


class PaymentNoticeStale(PaymentNoticeRejected):
    code = "payment_notice_stale"
    status = 401
    default_message = _("支付通知已过期。")


class PaymentNoticeMismatch(PaymentNoticeRejected):
    code = "payment_notice_mismatch"
    default_message = _("支付通知内容与订单不符。")


class PaymentNoticeUnknownTrade(PaymentNoticeRejected):
    code = "payment_notice_unknown_trade"
    status = 404
    default_message = _("支付通知对应的支付单不存在。")


class OrderNotRefundable(Conflict):
    code = "order_not_refundable"
    default_message = _("订单未支付或已全额退款，无法退款。")


class RefundInvalid(ValidationFailed):
    code = "refund_invalid"
    default_message = _("退款明细有误。")


class RefundExceedsPaid(Conflict):
    code = "refund_exceeds_paid"
    default_message = _("退款数量或金额超过可退部分。")


# --- after-sales (P04) -----------------------------------------------------------------


class AfterSaleNotFound(NotFound):
    code = "after_sale_not_found"
    default_message = _("售后单不存在。")


class AfterSaleNotAllowed(Conflict):
    code = "after_sale_not_allowed"
    default_message = _("该订单当前状态不能申请售后。")


class AfterSaleKindInvalid(ValidationFailed):
    code = "after_sale_kind_invalid"
    default_message = _("未发货或未收货的订单只能申请仅退款，已收货的订单请申请退货退款。")


class AfterSaleLineInvalid(ValidationFailed):
    code = "after_sale_line_invalid"
    default_message = _("订单中没有该商品。")


class AfterSaleQtyExceeds(Conflict):
    code = "after_sale_qty_exceeds"
    default_message = _("申请数量超过可退数量。")


class AfterSaleOpenExists(Conflict):
    code = "after_sale_open_exists"
    default_message = _("该商品已有处理中的售后申请。")


class AfterSaleStatusInvalid(Conflict):
    code = "after_sale_status_invalid"
    default_message = _("售后单当前状态不允许该操作。")


class AfterSalePhotoInvalid(ValidationFailed):
    code = "after_sale_photo_invalid"
    default_message = _("图片无效：仅支持 JPG、PNG、WEBP 格式，且不超过 5 MB。")


class AfterSalePhotosTooMany(ValidationFailed):
    code = "after_sale_photos_too_many"
    default_message = _("最多上传 6 张图片。")


class AfterSaleRejectReasonRequired(ValidationFailed):
    code = "after_sale_reject_reason_required"
    default_message = _("请填写拒绝原因。")


class AfterSaleReturnInfoRequired(ValidationFailed):
    code = "after_sale_return_info_required"
    default_message = _("请填写退货的快递公司和运单号。")
