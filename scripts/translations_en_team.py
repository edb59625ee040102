"""English for the msgids lane "team" added (team split F22, check-in events and figures).

The lead moves these into locale/en/LC_MESSAGES/django.po: exact msgid → English.
"""

EN = {
    "组队瓜分开团": "Team split: team opened",
    "加入组队瓜分团队": "Team split: joined a team",
    "组队消费达标": "Team split: spending goal reached",
    "组队瓜分得券": "Team split: reward coupon received",
    "组队瓜分": "Team split",
    "组队瓜分数据": "Team split figures",
    "组队瓜分活动": "Team split activities",
    "组队瓜分结算": "Team split settlement",
    "达标团队等售后期满后按活动规则瓜分奖励券，截止仍未达标的团队结束并通知队员（每个团队只结算一次）。": (
        "Splits the reward coupons of teams that reached their goal once the after-sales wait is over, "
        "and ends teams still short at their deadline, telling their members (each team settles once)."
    ),
    "组队瓜分成功": "Team split won",
    "组队未达标": "Team fell short",
    "团队目标消费(元)": "Team spending goal (yuan)",
    "团队成员在组队时限内的实付合计（扣除退款）": (
        "What the team's members paid within the team window (net of refunds)"
    ),
    "瓜分奖励(元)": "Reward to split (yuan)",
    "达标后团队瓜分的券包总额，分到每人精确到分": (
        "Total coupon pack the team splits after reaching the goal, to the fen per member"
    ),
    "达标后等待售后期满再瓜分：期间的退款从团队消费中扣除，跌破目标则继续组队；瓜分后退款不影响已发的券。": (
        "After the goal is reached the split waits for the after-sales period: refunds in that time are "
        "deducted from the team's spending and a team that drops below the goal keeps collecting; refunds "
        "after the split do not affect the coupons already issued."
    ),
    "目标消费": "Spending goal",
    "瓜分奖励": "Reward to split",
    "团队数": "Teams",
    "已瓜分": "Split",
    "瓜分金额": "Share",
    "奖励券": "Reward coupon",
    "计入团队的订单": "Orders counted for the team",
    "团队消费": "Team spending",
    "每日活跃": "Daily actives",
    "开团或加入团队的会员": "Members who opened or joined a team",
    "日均活跃": "Average daily actives",
    "近 30 天平均每天开团、参团或下单的队员": (
        "Team members opening, joining or paying per day, averaged over the last 30 days"
    ),
    "团队": "Teams",
    "待瓜分 %(r)s，已瓜分 %(s)s，未达标 %(f)s": "%(r)s waiting to split, %(s)s split, %(f)s fell short",
    "发放奖励券": "Reward coupons issued",
    "合计 %(amount)s": "Total %(amount)s",
    "已使用奖励券": "Reward coupons used",
    "已在下单时使用的瓜分券": "Team split coupons already used on orders",
    "成本": "Cost",
    "已使用瓜分券的面额": "Face value of the used team split coupons",
    "参与者订单": "Participants' orders",
    "队员在组队时限内的已支付订单": "Paid orders of team members within their team windows",
    "参与者成交额": "Participants' GMV",
    "上述订单实付，扣除退款": "What those orders paid, net of refunds",
    "组队瓜分活动不存在。": "The team split activity does not exist.",
    "组队瓜分活动未开始或已结束。": "The team split activity has not started or has ended.",
    "团队不存在。": "The team does not exist.",
    "该团队已满员，去开一个新团队吧。": "This team is full. Open a new team instead.",
    "该团队已截止，不能再加入。": "This team has closed and cannot be joined.",
    "您已在本活动的一个团队里了。": "You are already in a team of this activity.",
    "组队瓜分活动设置有误。": "The team split activity settings are invalid.",
    "平均瓜分": "Split equally",
    "按贡献瓜分": "Split by contribution",
    "组队人数": "Team size",
    "3–5 人": "3–5 people",
    "目标消费(分)": "Spending goal (fen)",
    "瓜分奖励(分)": "Reward to split (fen)",
    "瓜分方式": "Split mode",
    "组队时限(小时)": "Team window (hours)",
    "开团后多少小时内的消费计入团队，最晚到活动结束": (
        "Spending within this many hours after the team is opened counts, at most until the activity ends"
    ),
    "售后等待天数": "After-sales wait (days)",
    "达标后等待多少天再瓜分；期间退款会从团队消费中扣除": (
        "Days to wait after the goal is reached before splitting; refunds in that time are deducted"
    ),
    "奖励券有效天数": "Reward coupon validity (days)",
    "结束后不能再开团或参团": "After the end no team can be opened or joined",
    "组队中": "Collecting",
    "已达标待瓜分": "Goal reached, waiting to split",
    "未达标": "Fell short",
    "队长": "Leader",
    "已加入人数": "Members joined",
    "团队消费(分)": "Team spending (fen)",
    "已支付减已退款": "Paid minus refunded",
    "达标时间": "Goal reached at",
    "瓜分时间": "Split due at",
    "达标后等待售后期结束": "The after-sales wait after reaching the goal",
    "已瓜分时间": "Split at",
    "组队记录": "Teams",
    "加入时间": "Joined at",
    "瓜分金额(分)": "Share (fen)",
    "队员": "Team members",
    "支付金额(分)": "Paid (fen)",
    "已退金额(分)": "Refunded (fen)",
    "团队订单": "Team orders",
    "团队已消费 %(spent)s / %(goal)s，已达标": "The team has spent %(spent)s / %(goal)s, goal reached",
    "团队已消费 %(spent)s / %(goal)s，还差 %(left)s": "The team has spent %(spent)s / %(goal)s, %(left)s to go",
    "团队消费达标后等待 %(days)s 天售后期再瓜分，期间的退款会从团队消费中扣除；瓜分后退款不影响已发的券。": (
        "Once the team reaches the goal the split waits %(days)s days of after-sales; refunds in that time are "
        "deducted from the team's spending; refunds after the split do not affect the coupons issued."
    ),
    "微信用户": "WeChat user",
    "%(size)s 人组队，消费满 %(goal)s 瓜分 %(reward)s": "Teams of %(size)s: spend %(goal)s to split %(reward)s",
    "已有团队参加，组队人数、目标、奖励和瓜分方式不能再改。": (
        "Teams have joined: the team size, goal, reward and split mode can no longer change."
    ),
    "%(name)s 瓜分券 ¥%(yuan)s": "%(name)s team split coupon ¥%(yuan)s",
    "您的团队消费达标，您分得 ¥%(yuan)s 优惠券，已放入您的券包。": (
        "Your team reached its goal: your ¥%(yuan)s coupon is in your coupon wallet."
    ),
    "团队消费 ¥%(spent)s，距目标 ¥%(goal)s 还差 ¥%(left)s，活动已截止。": (
        "Your team spent ¥%(spent)s, ¥%(left)s short of the ¥%(goal)s goal; the team has closed."
    ),
    "您的团队消费达标并已按贡献瓜分；您在组队期间没有消费，本次未分得奖励。": (
        "Your team reached its goal and split the reward by contribution; you spent nothing in the team, "
        "so no share this time."
    ),
    "每日活跃（签到人数）": "Daily actives (members checking in)",
    "累计参与": "Participants in total",
    "签到过的会员数": "Members who ever checked in",
    "近 30 天平均每天签到人数": "Members checking in per day, averaged over the last 30 days",
    "开团或加入团队时": "Opening or joining a team",
    "组队瓜分开团/参团": "Team split: open or join a team",
    "参与人数、活跃、奖励发放与使用、成本，以及队员带来的订单和成交额（按北京时间统计）。": (
        "Participants, actives, rewards issued and used, cost, and the orders and GMV team members "
        "brought (counted in Beijing time)."
    ),
    "管理组队瓜分活动": "Manage team split activities",
    "近 %(days)s 天每日活跃队员": "Active team members per day over the last %(days)s days",
    "活动": "Activity",
    "全部活动": "All activities",
    "签到": "Check-in",
    "补签": "Make-up check-in",
}
