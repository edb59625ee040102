# ruff: noqa: E501
"""English for the gaps left by the morning's merges (points-mall refunds, push tracking, audience in the console, early access)."""

EN_GAPS: dict[str, str] = {
    "订单 %(no)s 退款，兑换积分退回": "Order %(no)s refunded: the redeemed points are returned",
}
