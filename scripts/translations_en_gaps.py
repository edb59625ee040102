# ruff: noqa: E501
"""English for the gaps left by the morning's merges (points-mall refunds, push tracking, audience in the console, early access)."""

EN_GAPS: dict[str, str] = {
    "订单 %(no)s 退款，兑换积分退回": "Order %(no)s refunded: the redeemed points are returned",
    "可参与人群": "Who may take part",
    "可参与人群已保存。": "Who may take part has been saved.",
    "都不选表示所有会员可参与；选了多项时须同时满足。": "Leave all empty for every member; when several are set, a shopper must meet all of them.",
}
