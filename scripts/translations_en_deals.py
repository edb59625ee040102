"""English for the deal seam: orders bought through a marketing tool (flash sale, group buy, bargain)."""

EN_DEALS: dict[str, str] = {
    "活动参数有误。": "The campaign parameters are invalid.",
    "活动不存在或已结束。": "The campaign does not exist or has ended.",
    "活动名额已满或已结束。": "The campaign is full or has ended.",
    "活动商品需单独下单，每单一种商品。": "Campaign items are ordered on their own, one product per order.",
    "订单暂不能发货：拼团尚未成功。": "The order cannot ship yet: its group is not complete.",
    "暂缓发货": "Shipping on hold",
    "活动类型": "Campaign type",
    "活动记录": "Campaign record",
}
