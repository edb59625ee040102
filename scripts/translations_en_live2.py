# ruff: noqa: E501 - one msgid and its English per line reads best
"""English for the msgids lane `live2` (live polish: the lottery guard, rooms gone from WeChat;
studio leftovers: stacking warning on campaign edit, campaign page links) added; the lead merges
them into locale/en."""

EN = {
    # anti-abuse guard: the live comment lottery as a guarded action
    "直播评论抽奖": "Live comment lottery",
    # live rooms WeChat no longer lists
    "微信已删除": "Deleted in WeChat",
    "全量同步时微信直播列表中已没有该直播间": "WeChat's live room list no longer had this room at the last full sync",
    "%(gone)d 个直播间已在微信删除，小程序中不再显示。": "%(gone)d live room(s) were deleted in WeChat and are no longer shown in the mini-program.",
    "%(at)s 同步时微信直播列表中已没有该直播间：小程序中不再显示，订单、抽奖和关注记录仍保留；若微信重新列出，同步后自动恢复。": (
        "At the sync of %(at)s WeChat's live room list no longer had this room: it is no longer shown in the "
        "mini-program, its orders, lotteries and follows are kept; if WeChat lists it again, the next sync restores it."
    ),
    # campaign edit: stacking warning
    "保存前请确认：调整后的时间与同时进行的活动叠加存在风险": "Please confirm before saving: with the new dates this campaign stacks riskily with campaigns running at the same time",
    "仍然保存": "Save anyway",
    # page block links
    "product:商品编号 / category:分类编号 / page:页面地址 / campaign:活动编号 / coupons / checkin / flash / points-mall / topics / community（种草社区）；留空不跳转": (
        "product:product id / category:category id / page:page address / campaign:campaign id / coupons / checkin / "
        "flash / points-mall / topics / community (community feed); leave empty for no link"
    ),
}
