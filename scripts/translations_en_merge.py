EN = {
    "product:商品编号 / category:分类编号 / page:页面地址 / coupons / checkin / flash / points-mall / topics / community（种草社区）；留空不跳转": "product:product id / category:category id / page:page address / coupons / checkin / flash / points-mall / topics / community (shopper community); leave empty for no link",
    "%(first)s – %(last)s": "%(first)s – %(last)s",
    "现在": "Now",
    "product:商品编号 / category:分类编号 / page:页面地址 / campaign:活动编号 / coupons / checkin / flash / points-mall / topics / community（种草社区） / live（直播间）；留空不跳转": "product:product id / category:category id / page:page address / campaign:campaign id / coupons / checkin / flash / points-mall / topics / community (shopper community) / live (live rooms); leave empty for no link",
}
