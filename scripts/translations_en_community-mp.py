"""English for the Chinese msgids lane community-mp added (the lead merges them into locale/)."""

EN = {
    "product:商品编号 / category:分类编号 / page:页面地址 / coupons / checkin / flash / points-mall / "
    "community（种草社区）；留空不跳转": "product:product id / category:category id / page:page address / coupons / "
    "checkin / flash / points-mall / community (community feed); empty = no link",
}
