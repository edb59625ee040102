"""English for the 智能建议 (F39) strings of the suggest branch (filled into the .po at merge)."""

EN_SUGGEST: dict[str, str] = {
    "工具": "Tool",
    "门槛": "Threshold",
    "减": "Off",
    "满门槛订单": "Orders above the threshold",
    "核销率(%)": "Redemption (%)",
    "区间订单": "Orders in the band",
    "区间起": "Band from",
    "区间止": "Band to",
    "建议门槛": "Suggested threshold",
    "建议减": "Suggested discount",
    "高峰开始(点)": "Peak starts (hour)",
    "高峰订单": "Peak orders",
    "占比(%)": "Share (%)",
    "现有秒杀开场(点)": "Current flash slot hours",
    "买家": "Buyers",
    "智能建议": "Suggestions",
    "已采纳，已打开预填的草稿，确认后再保存。": "Accepted: the pre-filled draft is open; check it before saving.",
    "已采纳。": "Accepted.",
    "已忽略。": "Dismissed.",
    "这条建议已处理过或不存在。": "This suggestion was already handled or does not exist.",
    "满减门槛": "Spend-and-save tier",
    "活动时段": "Campaign hours",
    "滞销清仓": "Slow-seller clearance",
    "待处理": "New",
    "已采纳": "Accepted",
    "已忽略": "Dismissed",
    "建议": "Suggestion",
    "依据": "Evidence",
    "操作链接": "Action link",
    "生成时间": "Generated at",
    "近 %(days)s 天%(best)s拉新 %(new)s 人，ROI %(roi)s，高于%(worst)s %(worst_roi)s，建议增加%(best)s频次": (
        "In the last %(days)s days %(best)s brought %(new)s new shoppers at ROI %(roi)s, above %(worst)s at "
        "%(worst_roi)s: run %(best)s more often"
    ),
    "满%(t)s减%(o)s 核销率 %(r)s%%，且 %(s)s%% 的订单落在 ¥%(lo)s–%(hi)s，建议新增满%(nt)s减%(no)s": (
        "¥%(o)s off ¥%(t)s is redeemed %(r)s%% of the time and %(s)s%% of orders fall in ¥%(lo)s–%(hi)s: "
        "add ¥%(no)s off ¥%(nt)s"
    ),
    "满%(nt)s减%(no)s": "¥%(no)s off ¥%(nt)s",
    "活动参与高峰在 %(a)s–%(b)s 点，建议把秒杀时段调整到 %(a)s 点": (
        "Participation peaks %(a)s:00–%(b)s:00: move the flash slot to %(a)s:00"
    ),
    "「%(p)s」%(v)s 位访客、首单 %(fo)s 单，适合做引流品，建议放进下一场秒杀": (
        "“%(p)s” drew %(v)s visitors and %(fo)s first orders: a traffic product for the next flash slot"
    ),
    "引流：%(p)s": "Traffic: %(p)s",
    "「%(p)s」%(v)s 位访客只卖出 %(u)s 件，属于滞销，建议限时折扣清仓": (
        "“%(p)s” sold only %(u)s units to %(v)s visitors: clear it with a limited-time discount"
    ),
    "清仓：%(p)s": "Clearance: %(p)s",
    "生成智能建议": "Generate suggestions",
    "每天凌晨 3:30：根据近 30 天的营销数据生成建议，每条建议每天只生成一次。": (
        "Every day at 03:30: suggestions from the last 30 days of marketing figures, each generated once a day."
    ),
    "每天凌晨按近 30 天的营销数据生成并附上依据。采纳只打开预填的草稿，保存前不改动进行中的活动。": (
        "Generated every night from the last 30 days of marketing figures, each with its evidence. Accepting "
        "only opens a pre-filled draft; no live campaign changes until you save it."
    ),
    "采纳并打开草稿": "Accept and open the draft",
    "忽略": "Dismiss",
    "暂无新的建议。": "No new suggestions.",
    "已采纳建议": "Accepted suggestions",
    "采纳时间": "Accepted at",
    "还没有采纳过建议。": "No suggestion accepted yet.",
}
