# ruff: noqa: E501 - one msgid and its English per line reads best
"""English for the msgids lane `calendar` (F28: campaign calendar, overlap detail, margin floor,
stacking warnings) added; the lead merges them into locale/en."""

EN = {
    # calendar
    "活动日历": "Campaign calendar",
    "所有营销活动的时间安排（北京时间）。颜色表示状态，图标表示活动里的营销工具，红线为当前时间；点击活动查看详情。": (
        "Every campaign's schedule (Beijing time). Colours show the state, icons the tools in the campaign, "
        "the red line is now; click a campaign for its page."
    ),
    "%(year)d 年 %(month)d 月": "%(month)d/%(year)d",
    "月": "Month",
    "周": "Week",
    "上个月": "Previous month",
    "下个月": "Next month",
    "上一周": "Previous week",
    "下一周": "Next week",
    "今天": "Today",
    "新建营销活动": "New campaign",
    "显示全部": "Show all",
    "周一": "Mon",
    "周二": "Tue",
    "周三": "Wed",
    "周四": "Thu",
    "周五": "Fri",
    "周六": "Sat",
    "周日": "Sun",
    "这段时间没有营销活动。": "No campaigns in this period.",
    "价格规则": "Price rule",
    "优惠券": "Coupon",
    "秒杀场次": "Flash slot",
    "拼团": "Group buy",
    "砍价": "Bargain",
    "时间重叠的活动": "Campaigns that overlap in time",
    "活动": "Campaign",
    "重叠时间": "Overlap",
    "查看叠加效果": "See how they stack",
    # overlap detail
    "活动叠加": "Campaigns stacked",
    "按 %(at)s 的规则、普通会员、每个活动的优惠券各一张（系统自动选择最省的用券组合）计算；秒杀、拼团、砍价按各自渠道单独下单，不在样例购物车中计价。": (
        "Priced with the rules of %(at)s for a normal member holding one coupon of each campaign (the system "
        "picks the best combination); flash sales, group buys and bargains sell through their own channels "
        "and are not priced in the sample cart."
    ),
    "共同商品": "Shared goods",
    "这些活动都适用于全店商品。": "All these campaigns cover the whole shop.",
    "共有 %(n)s 个 SKU 可能同时享受这些活动的优惠。": "%(n)s SKUs may get discounts from all these campaigns.",
    "没有共同商品。": "No shared goods.",
    "等": "and more",
    "同类型的订单优惠只取最优惠的一个。": "Of order promotions of one type, only the best applies.",
    "同类型的订单优惠全部叠加。": "Order promotions of one type all stack.",
    "单品价（限时折扣、会员折扣等）每件商品只取最低的一个，不会相乘。": (
        "Item prices (limited-time discounts, member rates…) take the single lowest per item; they never multiply."
    ),
    "优惠券可叠加的分组：%(groups)s，每组最多 %(n)d 张。": "Coupon groups that stack: %(groups)s, at most %(n)d per group.",
    "无": "None",
    "样例购物车": "Sample cart",
    "商品 %(n)d": "Item %(n)d",
    "数量": "Qty",
    "重新计算": "Recalculate",
    "按共同商品重新生成": "Rebuild from shared goods",
    "原价合计": "List total",
    "优惠合计": "Discounts",
    "实付": "Payable",
    "商品成本": "Cost of goods",
    "毛利率": "Gross margin",
    "最低 %(floor)s%%": "floor %(floor)s%%",
    "以下商品未填写成本价，无法计算毛利率：%(names)s": "No cost price for these items, so the margin is unknown: %(names)s",
    "叠加后低于最低毛利率": "Below the margin floor when stacked",
    "这些活动叠加后，样例购物车的毛利率为 %(margin)s，低于店铺设置的最低毛利率 %(floor)s%%。": (
        "Stacked, these campaigns leave the sample cart a gross margin of %(margin)s, below the shop's margin "
        "floor of %(floor)s%%."
    ),
    "本单优惠": "Saved on this cart",
    "被「%(names)s」压过": "beaten by “%(names)s”",
    "生效": "Applies",
    "优惠": "saves",
    "未生效": "does not apply",
    "另有 %(n)s 个秒杀、拼团或砍价工具在各自渠道计价": "%(n)s more flash, group-buy or bargain tools priced in their own channels",
    "这个活动还没有可计价的优惠。": "This campaign has no discount to price yet.",
    "逐件结果": "Line by line",
    "商品": "Item",
    "原价": "List price",
    "成本": "Cost",
    "赠品": "Gift",
    "叠加生效": "Stacks",
    "被其他活动压过": "Beaten by another campaign",
    "本样例不适用": "Does not apply to this cart",
    "独立渠道，不在样例中计价": "Own channel, not priced here",
    "这些活动没有共同的商品，不会在同一件商品上叠加。": "These campaigns share no goods, so they never stack on one item.",
    # warnings
    "与同时进行的活动叠加后存在风险，请查看提醒后确认。": (
        "Stacking with campaigns running at the same time is risky; read the warnings and confirm."
    ),
    "与「%(other)s」同时进行时，本活动的优惠在共同商品上被「%(winners)s」压过，顾客享受不到。": (
        "While “%(other)s” runs, this campaign's discount on the shared goods is beaten by “%(winners)s”: "
        "shoppers never get it."
    ),
    "与「%(other)s」叠加后，样例购物车的毛利率为 %(margin)s%%，低于最低毛利率 %(floor)s%%。": (
        "Stacked with “%(other)s”, the sample cart's gross margin is %(margin)s%%, below the margin floor of %(floor)s%%."
    ),
    "样例购物车：%(cart)s，原价 %(subtotal)s，实付 %(payable)s。": "Sample cart: %(cart)s, list %(subtotal)s, payable %(payable)s.",
    "成本 %(cost)s，毛利率 %(margin)s%%（最低 %(floor)s%%）。": "Cost %(cost)s, gross margin %(margin)s%% (floor %(floor)s%%).",
    "成本 %(cost)s，毛利率 %(margin)s%%。": "Cost %(cost)s, gross margin %(margin)s%%.",
    "无可计价的优惠": "no discount to price",
    "发布前请确认：与同时进行的活动叠加存在风险": "Confirm before publishing: stacking with concurrent campaigns is risky",
    "加入前请确认：与同时进行的活动叠加存在风险": "Confirm before linking: stacking with concurrent campaigns is risky",
    "与同时进行的活动叠加提醒（发布时需要确认）": "Stacking with concurrent campaigns (to confirm when publishing)",
    "一起查看这些活动的叠加效果": "See how all these campaigns stack together",
    "仍然发布": "Publish anyway",
    "仍然加入": "Link anyway",
    "取消，先调整活动": "Cancel and adjust the campaign",
    "确认后，提醒内容会记录在操作记录中。": "Once confirmed, the warnings are kept in the audit trail.",
    "已确认 %(n)d 条叠加提醒": "%(n)d stacking warnings confirmed",
    "共同商品上的优惠按叠加规则取舍，点击“查看叠加效果”用样例购物车查看哪些优惠叠加、哪些被压过，以及毛利率。": (
        "On shared goods the stacking policy decides; “See how they stack” prices a sample cart showing which "
        "discounts stack, which are beaten, and the margin."
    ),
    "活动已发布，所有工具同时上线。": "Campaign published; all its tools went live together.",
    # shop settings
    "最低毛利率（%）": "Margin floor (%)",
    "活动叠加后样例购物车的毛利率低于此值时，发布前提醒并需确认；0 表示不检查。": (
        "When stacked campaigns leave a sample cart below this gross margin, publishing asks for confirmation; "
        "0 turns the check off."
    ),
    "最低毛利率应在 0% 到 90% 之间。": "The margin floor must be between 0% and 90%.",
}
