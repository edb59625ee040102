"""English for the what-if lane's new console strings (msgid → English); the lead moves them into the .po catalogue."""

EN = {
    "{{ n }} 单含已删除的商品，未计入。": "{{ n }} orders hold deleted products and were left out.",
    "¥%(low)s 以上": "over ¥%(low)s",
    "¥%(low)s–%(high)s": "¥%(low)s–%(high)s",
    "上线前，用最近的真实订单回放一遍：加上这个活动（或改了这个活动）后，"
    "多少订单受影响、优惠成本、成交额和毛利会怎样变化。": (
        "Before launch, replay recent real orders: with this promotion added (or changed), how many orders are "
        "affected and how discount cost, GMV and margin change."
    ),
    "优惠成本": "Discount cost",
    "修改的活动": "Promotion edited",
    "修改进行中的活动": "Edit a live promotion",
    "假设：同样的订单、同样的购物车，顾客行为不因活动改变。按今天的售价和会员等级重新计算，"
    "不含优惠券、积分、秒杀/拼团/砍价价；活动时间和每人限购不限制回放。": (
        "Assumption: the same orders and the same baskets; shoppers do not change their behaviour because of the "
        "promotion. Priced again at today's prices and member tiers, without coupons, points or flash-sale / "
        "group / bargain prices; promotion windows and per-shopper limits do not restrict the replay."
    ),
    "全部模拟": "All what-if runs",
    "创建的活动": "Campaign created",
    "加上模拟活动": "With the tried promotion",
    "单": "orders",
    "受影响订单": "Affected orders",
    "受影响订单每单多省的钱": "Extra saving per affected order",
    "变化": "Change",
    "只用于模拟，不会创建活动。": "For the replay only; no promotion is created.",
    "回放天数": "Days replayed",
    "回放天数须在 1 到 366 之间。": "The number of days must be between 1 and 366.",
    "回放最近 {{ days }} 天的已支付订单": "Replays the paid orders of the last {{ days }} days",
    "回放最近天数": "Replay the last N days",
    "回放订单": "Orders replayed",
    "失败原因": "Failure reason",
    "客单价": "Average basket",
    "已回放订单": "Orders replayed",
    "开始模拟": "Start the replay",
    "影响 %(affected)s / %(orders)s 单，优惠成本变化 %(extra)s": (
        "Affects %(affected)s of %(orders)s orders, discount cost changes by %(extra)s"
    ),
    "成交额 (GMV)": "GMV",
    "指标": "Figure",
    "改动只用于模拟，不会修改进行中的活动。": "Changes are for the replay only; the live promotion is not changed.",
    "效果模拟": "What-if",
    "效果模拟：修改“{{ name }}”": "What-if: edit “{{ name }}”",
    "效果模拟：新的{{ type }}": "What-if: a new {{ type }}",
    "新%(type)s": "New %(type)s",
    "新活动": "New promotion",
    "暂无进行中的促销活动。": "No live promotions.",
    "最近的模拟": "Recent runs",
    "有 {{ n }} 件商品未填成本价，毛利按成本 0 计算。": (
        "{{ n }} units have no cost price; margin counts them at cost 0."
    ),
    "有无此活动对比": "Without and with the promotion",
    "模拟一下": "Try it (what-if)",
    "模拟一个新活动": "Try a new promotion",
    "模拟失败": "The replay failed",
    "模拟活动": "Promotion tried",
    "模拟规则": "Rules tried",
    "模拟记录不存在。": "The what-if run does not exist.",
    "现在的规则": "Current rules",
    "留空表示新活动": "Empty means a new promotion",
    "草稿名称": "Draft name",
    "草稿对象": "Draft object",
    "草稿尚未保存": "Draft not saved yet",
    "草稿工具": "Draft tool",
    "计算中": "Running",
    "计算出错，请稍后重试。": "The calculation failed; please try again later.",
    "订单总数": "Orders in total",
    "让利减少": "Saves less",
    "调整后再模拟": "Adjust and try again",
    "赠品（按售价）": "Gifts (at list price)",
    "返回": "Back",
    "还没有模拟记录。": "No what-if runs yet.",
    "采纳以来优惠成本": "Cost since accepted",
    "采纳以来成交额": "GMV since accepted",
    "采纳以来订单": "Orders since accepted",
    "最近进度": "Last progress",
    "计算中断（后台任务未完成），请重新模拟。": (
        "The calculation was interrupted (the background task did not finish); please run it again."
    ),
    "效果模拟中断处理": "Interrupted what-if runs",
    "后台计算中断的效果模拟标记为失败，商家可重新模拟。": (
        "What-if runs whose background calculation stopped are marked failed, so the merchant can run them again."
    ),
}
