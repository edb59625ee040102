"""English for the lucky wheel's (F21, lane "wheel") new console, API and model strings.

msgid (Chinese, exactly as in the code) → English; the lead moves these into locale/en's .po.
Strings the catalogue already has (会员, 名称, 状态 …) are not repeated here.
"""

EN = {
    # models
    "幸运大转盘": "Lucky wheel",
    "大转盘": "Lucky wheel",
    "版本": "Version",
    "上一版本": "Previous version",
    "获得抽奖机会的订单金额(分)": "Order payment that earns a chance (fen)",
    "每笔实付满此金额的订单得 1 次抽奖机会": "Each order paying at least this much earns one chance",
    "每人每日最多抽奖次数": "Draws per shopper per day",
    "奖品库存分几天放出": "Release prize stock over (days)",
    "库存按天平均放出，首日最多抽走 1/N，未抽完的顺延": (
        "Stock is released in equal daily slices: at most 1/N can be won on the first day; what a day leaves rolls over"
    ),
    "免单券最高面额(分)": "Free-order coupon cap (fen)",
    "免单券面额 = 该机会对应订单的实付金额，最高此数": (
        "The free-order coupon is worth what the chance's order paid, up to this amount"
    ),
    "免单券有效天数": "Free-order coupon valid for (days)",
    "活动规则": "Rules",
    "大转盘奖品": "Wheel prize",
    "来源奖品": "Copied from prize",
    "位置": "Position",
    "奖品名称": "Prize name",
    "奖品类型": "Prize type",
    "积分数": "Points",
    "权重": "Weight",
    "中奖概率 = 权重 ÷ 全部奖品权重之和": "Odds = weight ÷ the sum of all prizes' weights",
    "已发出": "Given out",
    "兜底奖品": "Fallback prize",
    "抽中的奖品已抽完时改发此奖品；须不限量，通常为谢谢参与": (
        "Given instead when the drawn prize is out of stock; must be unlimited, usually “Better luck next time”"
    ),
    "免单券": "Free-order coupon",
    "谢谢参与": "Better luck next time",
    "已收回": "Withdrawn",
    "抽奖机会": "Wheel chance",
    "订单实付(分)": "Order payment (fen)",
    "获得时间": "Earned at",
    "收回时间": "Withdrawn at",
    "奖品": "Prize",
    "抽中奖品": "Prize drawn",
    "抽奖日": "Draw day",
    "奖品面值(分)": "Prize value (fen)",
    "券面额；积分按抵扣比例折算": "Coupon face value; points at the shop's redemption rate",
    "改发兜底奖品": "Fell back",
    "抽奖时间": "Drawn at",
    "抽奖记录": "Wheel draw",
    # errors and service refusals
    "幸运大转盘暂未开放。": "The lucky wheel is not open yet.",
    "您还没有抽奖机会，下单满额即可获得。": "You have no chance to draw yet; an order above the threshold earns one.",
    "今天的抽奖次数已用完，明天再来吧。": "You have used today's draws; come back tomorrow.",
    "已发布的大转盘不能直接修改奖品和概率，请复制为新版本后修改。": (
        "A published wheel's prizes and odds cannot be edited; copy it to a new version and edit that."
    ),
    "大转盘设置有误。": "The wheel's settings are invalid.",
    "大转盘不存在。": "The wheel does not exist.",
    "订单金额门槛须大于 0。": "The order threshold must be above 0.",
    "每日抽奖次数至少为 1。": "Draws per day must be at least 1.",
    "库存放出天数至少为 1。": "The stock release period must be at least 1 day.",
    "免单券最高面额须在 0.01 元到 1,000 元之间。": "The free-order cap must be between ¥0.01 and ¥1,000.",
    "免单券有效天数至少为 1。": "The free-order coupon must be valid for at least 1 day.",
    "请填写奖品名称。": "Please name the prize.",
    "未知的奖品类型。": "Unknown prize type.",
    "优惠券奖品须选择优惠券模板。": "A coupon prize needs a coupon template.",
    "只有优惠券奖品可以选择优惠券模板。": "Only coupon prizes take a coupon template.",
    "积分奖品须填写积分数。": "A points prize needs a number of points.",
    "权重至少为 1。": "The weight must be at least 1.",
    "库存不能少于已发出的 %(n)d 份。": "Stock cannot be below the %(n)d already given out.",
    "兜底奖品须不限量（库存留空）。": "The fallback prize must be unlimited (leave stock empty).",
    "大转盘须有 2 到 %(n)d 个奖品。": "A wheel needs 2 to %(n)d prizes.",
    "请把恰好一个不限量的奖品设为兜底奖品。": "Mark exactly one unlimited prize as the fallback.",
    "兜底奖品只能是谢谢参与或积分。": "The fallback prize can only be “Better luck next time” or points.",
    "大转盘免单券 ¥%(amount)s": "Wheel free-order coupon ¥%(amount)s",
    "幸运大转盘：%(name)s": "Lucky wheel: %(name)s",
    "%(points)s 积分": "%(points)s points",
    # guard, audit, navigation, event pages
    "大转盘抽奖": "Lucky-wheel draw",
    "复制大转盘为新版本": "Copy lucky wheel to a new version",
    "保存大转盘奖品": "Save lucky-wheel prize",
    "删除大转盘奖品": "Delete lucky-wheel prize",
    "大转盘数据": "Lucky wheel figures",
    # console
    "获得抽奖机会的订单金额（元）": "Order payment that earns a chance (yuan)",
    "免单券最高面额（元）": "Free-order coupon cap (yuan)",
    "只列出发放方式为「活动发放」的优惠券模板": "Only templates issued “by campaigns” are listed",
    "中奖概率": "Odds",
    "订单门槛": "Order threshold",
    "奖品（已发/库存）": "Prizes (given / stock)",
    "查看": "View",
    "免单券最高面额": "Free-order coupon cap",
    "已发布的版本不能修改奖品和概率。请在列表中勾选它，选择「复制为新版本」，修改后再发布。": (
        "A published version's prizes and odds cannot be changed. Tick it in the list, choose "
        "“Copy to a new version”, edit the copy and publish it."
    ),
    "发布所选草稿（替换进行中的版本）": "Publish selected draft (replaces the live version)",
    "复制为新版本（可修改奖品和概率）": "Copy to a new version (prizes and odds editable)",
    "结束所选大转盘": "End selected wheels",
    "已发布 %(n)d 个版本。": "Published %(n)d version(s).",
    "已复制出 %(n)d 个新版本草稿。": "Copied %(n)d new draft version(s).",
    "已结束 %(n)d 个大转盘。": "Ended %(n)d wheel(s).",
    "面值": "Value",
    "券状态": "Coupon status",
    "订单实付": "Order payment",
    "抽奖人数": "Shoppers drawing",
    "抽奖次数": "Draws",
    "参与人数": "Participants",
    "抽过奖的会员（全部版本）": "Shoppers who drew (all versions)",
    "今日参与": "Today's participants",
    "今天抽奖的会员数": "Shoppers who drew today",
    "已用掉的抽奖机会": "Chances used",
    "发放机会": "Chances earned",
    "其中 %(n)d 次因全额退款收回": "%(n)d of them withdrawn after full refunds",
    "中奖次数": "Prizes won",
    "不含谢谢参与": "Not counting “Better luck next time”",
    "券已使用": "Coupons used",
    "已用券 / 发出券": "Used / given",
    "奖品成本": "Prize cost",
    "券面额与积分折算之和": "Coupon face values plus points at the redemption rate",
    "已兑现成本": "Cost realised",
    "已使用的券与已发积分": "Coupons used and points granted",
    "参与者订单": "Participants' orders",
    "参与者首次抽奖后的支付订单": "Orders paid after the shopper's first draw",
    "参与者成交额": "Participants' GMV",
    "上述订单实付，扣除退款": "What those orders paid, net of refunds",
    # templates/marketing/wheel_stats.html
    "参与、中奖与成本按全部版本累计（按北京时间统计）；参与者成交额为参与者首次抽奖后支付的订单实付，扣除退款。": (
        "Participation, prizes and cost over every version (Beijing time); participants' GMV is what they "
        "paid for orders after their first draw, net of refunds."
    ),
    "管理大转盘": "Manage wheels",
    "近 %(days)s 天每日抽奖人数与次数": "Shoppers and draws per day, last %(days)s days",
    "奖品：%(name)s 第 %(version)s 版（%(status)s）": "Prizes: %(name)s version %(version)s (%(status)s)",
    "查看版本": "Version",
    "切换": "Show",
    "本版抽中": "Drawn in this version",
    "缺货改发兜底": "Fell back when out of stock",
    "兜底": "fallback",
    "本版 %(n)s 人参与，抽奖 %(draws)s 次，参与者此后支付 %(orders)s 单。": (
        "This version: %(n)s participants, %(draws)s draws, %(orders)s orders paid by them afterwards."
    ),
}
