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
}
