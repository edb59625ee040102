# ruff: noqa: E501
"""English for 包邮 per product and per campaign, and the retired 秒杀价 promotion type (issue 10 §4, §5)."""

EN_SHIPPING: dict[str, str] = {
    "勾选后该商品不收运费": "Tick to ship this product free of charge",
    "勾选后以秒杀价购买时不收运费": "Tick to ship orders at the flash price free of charge",
    "勾选后拼团订单不收运费": "Tick to ship the group's orders free of charge",
    "勾选后砍价订单不收运费": "Tick to ship the bargain's order free of charge",
    "%(title)s 包邮": "%(title)s ships free",
    "%(name)s 包邮": "%(name)s ships free",
    "满 %(yuan)s 元包邮": "Free shipping from %(yuan)s yuan",
    "免运费": "No shipping fee",
    "运费 %(yuan)s 元": "Shipping %(yuan)s yuan",
    "秒杀价（已停用，请用秒杀场次）": "Flash price (retired: use flash-sale slots)",
    "秒杀价已停用：请在“秒杀日历”中创建秒杀场次（有限量、防刷和限购）。": "The flash-price promotion is retired: create a slot in the flash-sale calendar (quota, anti-abuse and purchase limits).",
    "按订单计；留空不限": "Counted in orders; leave empty for no limit",
    "秒杀不在这里创建：请在秒杀日历中建场次，秒杀商品有限量、限购和防刷保护。": "Flash sales are not created here: add a slot in the flash-sale calendar, where items have a quota, purchase limits and anti-abuse protection.",
    "去秒杀日历": "Open the flash-sale calendar",
}
