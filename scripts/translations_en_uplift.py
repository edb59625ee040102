# ruff: noqa: E501 - the keys are exact msgids and cannot be wrapped
"""English for the holdout-uplift lane's new console strings (B03): exact msgid → English.

The lead moves these into locale/en/LC_MESSAGES/django.po. Strings from ``{% blocktranslate %}``
are given as Django extracts them (variables as ``%(name)s``, a literal percent sign as ``%%``).
"""

EN = {
    "%(sign)s%(value).1f 个百分点": "%(sign)s%(value).1f percentage points",
    "不显著": "Not significant",
    "显著提升": "Significant increase",
    "显著下降": "Significant decrease",
    "样本不足": "Too few shoppers",
    "人均 %(diff)s（%(verdict)s）": "%(diff)s per shopper (%(verdict)s)",
    "转化率（窗口内下单）": "Conversion (ordered in the window)",
    "人均成交额（CUPED 校正）": "Sales per shopper (CUPED-adjusted)",
    "人均成交额（未校正）": "Sales per shopper (unadjusted)",
    "不显著：人均成交额差 %(diff)s，95%% 置信区间 %(low)s ~ %(high)s 跨过 0，现有数据不能说明活动带来了增量。": (
        "Not significant: the difference in sales per shopper is %(diff)s and its 95%% confidence interval "
        "%(low)s ~ %(high)s crosses 0, so the data so far do not show that the campaign added sales."
    ),
    "显著：实验组人均成交额比对照组%(direction)s %(diff)s（95%% 置信区间 %(low)s ~ %(high)s），整体增量成交额约 %(incremental)s。": (
        "Significant: treated shoppers spent %(diff)s %(direction)s per shopper than the holdout "
        "(95%% confidence interval %(low)s ~ %(high)s); incremental sales about %(incremental)s in all."
    ),
    "多": "more",
    "少": "less",
    "增量成交额": "Incremental sales",
    "增量 ROI（增量成交额 ÷ 成本）": "Incremental ROI (incremental sales ÷ cost)",
    "无成本": "No cost",
    "CUPED 方差降低": "CUPED variance reduction",
    "「%(name)s」对照组效果": "Holdout uplift of “%(name)s”",
    "返回人群活动": "Back to the segment campaign",
    "所有名单内顾客从活动开始算起的统计窗口": "the same window for every shopper in the list, from the campaign start",
    "返回旅程设置": "Back to the journey settings",
    "每位顾客从触达（或被留作对照）起 %(days)d 天": "%(days)d days from when each shopper was reached (or held out)",
    "对照组效果": "Holdout uplift",
    "未设对照组": "No holdout",
    "尚无对照数据": "No holdout data yet",
    "对照组（不发券不发消息）": "Holdout (no coupon, no message)",
    "这部分顾客到了时机也不发券不发消息，用来衡量旅程带来的真实增量（0–50）": (
        "These shoppers get no coupon and no message when their occasion comes; they measure the "
        "journey's true uplift (0–50)"
    ),
    "对照组比例须在 0–50 之间。": "The holdout share must be between 0 and 50.",
    "查看对照组效果（置信区间、增量成交额与 ROI）": "See the holdout uplift (confidence intervals, incremental sales and ROI)",
    "实验组 vs 对照组": "Treated vs holdout",
    "增量与回报": "Incremental sales and return",
    "统计窗口": "Window",
    "窗口未结束，数字截至现在": "The window is still open; figures so far",
    "该旅程未设置对照组比例：在旅程设置里填写“对照组比例（%）”后，新触达的顾客会按比例留作对照。": (
        "This journey has no holdout share: set “Holdout share (%)” in the journey settings and that "
        "share of newly reached shoppers will be held out."
    ),
    "尚未开始，没有可比较的数据。": "Not started yet; nothing to compare.",
    "样本不足：实验组和对照组都至少需要 2 位顾客。": "Too few shoppers: both groups need at least 2 shoppers.",
    "指标": "Measure",
    "差值": "Difference",
    "95% 置信区间": "95% confidence interval",
    "相对提升": "Relative lift",
    "相对提升区间": "Relative lift interval",
    "结论": "Verdict",
    "增量成交额 = 人均差值（CUPED 校正）× 实验组人数；成本 = 活动发出的券实际抵扣的金额 + 赠送积分按抵现比例折算。区间跨过 0 即“不显著”。": (
        "Incremental sales = difference per shopper (CUPED-adjusted) × treated shoppers; cost = what the "
        "campaign's coupons took off orders + points given at their cash value. An interval crossing 0 is "
        "“not significant”."
    ),
    "实验组 %(treated)s 人，对照组 %(holdout)s 人（对照组不发券、不发消息）。": (
        "%(treated)s treated shoppers, %(holdout)s in the holdout (who get no coupon and no message)."
    ),
    "成交按实付减退款计；用每位顾客此前 %(days)s 天的消费做 CUPED 校正，区间为 95%% 置信区间。": (
        "Sales are amounts paid less refunds; CUPED adjusts with each shopper's spending in the %(days)s days "
        "before; intervals are 95%% confidence intervals."
    ),
    "设置了对照组的人群活动和生命周期旅程：对照组不发券、不发消息，两组成交之差才是活动真正带来的增量。区间跨过 0 的写“不显著”。": (
        "Segment campaigns and lifecycle journeys with a holdout: the holdout gets no coupon and no message, "
        "so the difference between the groups is what the campaign really added. An interval crossing 0 "
        "reads “not significant”."
    ),
    "实验组 / 对照组": "Treated / holdout",
    "人均增量": "Uplift per shopper",
    "增量 ROI": "Incremental ROI",
    "统计中": "In progress",
    "查看": "View",
    "还没有设置对照组的活动。创建人群活动时填写“对照组比例”，或在旅程设置里开启对照组。": (
        "No campaign has a holdout yet. Set “Holdout share” when creating a segment campaign, or turn on a "
        "holdout in the journey settings."
    ),
    # Global holdout (issue 16 §3)
    "全局对照组": "Global holdout",
    "全局对照组比例（%）": "Global holdout share (%)",
    "全局对照组分组种子": "Global holdout salt",
    "全局对照组开启时间": "Global holdout switched on at",
    "全局对照组关闭时间": "Global holdout switched off at",
    "全局对照组比例应在 1% 到 10% 之间。": "The global holdout share must be between 1% and 10%.",
    "开启后，按会员编号稳定抽出一小部分会员不接收任何营销推送（旅程、人群活动、提醒），订单与售后通知照常，可在“对照组效果”查看整体营销效果。": "When on, a small, stable share of shoppers (picked by member id) receives no marketing push (journeys, segment campaigns, reminders); order and after-sales notices still go out. See the overall marketing effect under “Holdout uplift”.",
    "1% 到 10%，建议 5%。": "1% to 10%; 5% is suggested.",
    "未开启": "Off",
    "已开启 %(percent)s%%": "On, %(percent)s%%",
    "全局对照组（不参与任何营销）": "Global holdout (no marketing at all)",
    "全局对照组效果": "Global holdout uplift",
    "返回对照组效果": "Back to holdout uplift",
    "开启以来注册过的全部会员，对照组不收任何营销推送，订单与售后通知照常": "every shopper registered since it was switched on; the holdout gets no marketing push, order and after-sales notices as usual",
    "全局对照组已开启：%(percent)s%% 的会员不参加人群活动和旅程，不收营销提醒，照常购物和参加公开活动。": "The global holdout is on: %(percent)s%% of shoppers are left out of segment campaigns and journeys and get no marketing reminders; they shop and use public promotions as usual.",
    "全局对照组已关闭：以下为关闭前这一组的数字，关闭后的成交不再计入。": "The global holdout is off: these are the last group's figures until it was switched off; later sales are not counted.",
    "店铺设置": "Shop settings",
    "全局对照组尚未开启。开启后，按会员编号稳定抽出 1%–10% 的会员（建议 5%）不收任何营销推送，订单与售后通知照常；这里会比较他们和其他会员的转化率与人均成交额。": "The global holdout is not on. When on, a stable 1%–10% of shoppers (5% suggested), picked by member id, receive no marketing push while order and after-sales notices go out as usual; this page then compares their conversion and GMV per shopper with everyone else's.",
    "去店铺设置开启": "Switch it on in the shop settings",
    "全局对照组已开启：%(percent)s%% 的会员不收任何营销推送。": "The global holdout is on: %(percent)s%% of shoppers receive no marketing push.",
    "全局对照组未开启：在店铺设置里开启后，一小部分会员不收任何营销推送，用来衡量营销整体带来的增量。": "The global holdout is off: switch it on in the shop settings to keep a small share of shoppers from every marketing push and measure what the marketing as a whole adds.",
    "全局对照组（不接收营销推送）": "Global holdout (gets no marketing push)",
}
