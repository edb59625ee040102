# ruff: noqa: E501  (msgids are kept whole so they can be matched exactly)
"""English for the Chinese msgids lane `topics` (F25 topic pages) added; the lead fills the catalogue."""

EN = {
    # models (marketing.TopicPage, analytics)
    "专题页": "Topic pages",
    "封面图地址": "Cover image URL",
    "副标题": "Subtitle",
    "排序": "Sort order",
    "数字大的排在前面": "Higher numbers come first",
    "上架列表时间": "Listed from",
    "下架列表时间": "Listed until",
    "浏览次数": "Views",
    # the guide block
    "导购图文": "Shopping guide",
    "空一行分段；“## 小标题”为小标题；[商品:编号] 插入商品卡片；[图片:https://…] 插入图片": (
        "A blank line starts a paragraph; “## title” is a heading; [商品:id] inserts a product card; "
        "[图片:https://…] inserts a picture"
    ),
    "无法识别：%(marks)s。商品写作 [商品:编号]，图片写作 [图片:https://…]": (
        "Cannot read: %(marks)s. Write a product as [商品:id] and a picture as [图片:https://…]"
    ),
    "最多插入 %(n)d 个商品。": "At most %(n)d products.",
    "最多插入 %(n)d 张图片。": "At most %(n)d pictures.",
    "product:商品编号 / category:分类编号 / page:页面地址 / coupons / checkin / flash / points-mall / topics；留空不跳转": (
        "product:product id / category:category id / page:page address / coupons / checkin / flash / "
        "points-mall / topics; empty = no link"
    ),
    "库存 %(n)s": "%(n)s in stock",
    "已售罄": "Sold out",
    "正文里的商品都已下架": "Every product in the text is off the shelf",
    # services
    "封面须为 https:// 开头或本站 / 开头的图片地址。": "The cover must be an image address starting with https:// or /.",
    "副标题最多 60 个字。": "The subtitle may have at most 60 characters.",
    "排序须在 -9999 到 9999 之间。": "The sort order must be between -9999 and 9999.",
    "时间须带时区。": "Times must carry a time zone.",
    "下架列表时间须晚于上架列表时间。": "“Listed until” must be later than “listed from”.",
    "店铺首页不能同时作为专题页。": "The shop's home page cannot also be a topic page.",
    # console
    "专题列表卡片的图片，https:// 或 /media/ 开头；建议 750×360": (
        "The picture of the topic list card, starting with https:// or /media/; 750×360 recommended"
    ),
    "留空：发布即出现在专题列表": "Empty: listed as soon as published",
    "到时从列表移除；已分享的链接在页面下线前仍可打开": (
        "Removed from the list then; shared links keep opening until the page is unpublished"
    ),
    "把页面设为专题": "Make a page a topic",
    "选择活动页面…": "Choose a campaign page…",
    "发布期间一直显示": "Listed while published",
    "发布起": "From publishing",
    "不限": "No end",
    "未发布": "Not published",
    "%(t)s 定时发布": "Publishes %(t)s",
    "待上架": "Not listed yet",
    "已下架": "No longer listed",
    "列表中": "Listed",
    "请选择一个活动页面。": "Please choose a campaign page.",
    "“%(title)s”已不再是专题。": "“%(title)s” is no longer a topic.",
    "专题设置已保存。": "Topic settings saved.",
    "专题设置：%(title)s": "Topic settings: %(title)s",
    # console templates
    "场景与节日专题在小程序“专题”列表中展示。%(start)s 至 %(end)s 的数据（北京时间，按日汇总）：浏览与访客来自专题页的浏览事件，"
    "订单与成交额为打开专题后支付的订单及其实付（未扣退款），转化率 = 订单数 ÷ 访客数。": (
        "Scene and festival topics are listed under “Topics” in the mini-program. Figures for %(start)s to "
        "%(end)s (Beijing time, summed by day): views and visitors come from the topic pages' view events, "
        "orders and GMV are the orders paid after opening a topic and what was paid (before refunds), "
        "conversion = orders ÷ visitors."
    ),
    "近 %(n)s 天": "Last %(n)s days",
    "设置专题": "Make topic",
    "新建活动页面": "New campaign page",
    "专题": "Topic",
    "列表状态": "List state",
    "列表时间": "Listed",
    "浏览量": "Views",
    "访客数": "Visitors",
    "订单数": "Orders",
    "成交额": "GMV",
    "转化率": "Conversion",
    "设置": "Settings",
    "编辑页面": "Edit page",
    "还没有专题：新建一个活动页面，用“导购图文”区块写好内容后在上方设为专题。": (
        "No topics yet: create a campaign page, write it with the “Shopping guide” block, then make it a topic above."
    ),
    "这个页面是专题：发布后在小程序“专题”列表中展示这张卡片。": (
        "This page is a topic: once published, this card is shown in the mini-program's topic list."
    ),
    "保存后这个页面成为专题；发布页面后出现在小程序“专题”列表。": (
        "Saving makes this page a topic; it appears in the mini-program's topic list once the page is published."
    ),
    "编辑页面内容": "Edit the page's content",
    "返回专题列表": "Back to topics",
    "保存专题设置": "Save topic settings",
    "取消专题": "Stop being a topic",
}
