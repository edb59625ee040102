"""English for the anomaly watch's (F31) new console strings: exact msgid → English."""
# ruff: noqa: E501

EN = {
    "一分钟内同一 IP 参与的账号数超过此值视为异常": "More accounts than this on one IP address within a minute is an anomaly",
    "一分钟内同一设备参与的账号数超过此值视为异常": "More accounts than this on one device within a minute is an anomaly",
    "一分钟内新注册账号的参与占比超过此值视为异常": "A larger share of brand-new accounts than this within a minute is an anomaly",
    "参与异常自动暂停": "Paused automatically for unusual participation",
    "参与次数": "Participations",
    "参与量突增": "Participation spike",
    "发现时间": "Detected at",
    "同一 IP 账号数上限": "Max accounts per IP address",
    "同一 IP 账号数上限至少为 1。": "Max accounts per IP address must be at least 1.",
    "同一 IP 账号过多": "Too many accounts on one IP address",
    "同一设备账号数上限": "Max accounts per device",
    "同一设备账号数上限至少为 1。": "Max accounts per device must be at least 1.",
    "同一设备账号过多": "Too many accounts on one device",
    "处理人": "Handled by",
    "处理时间": "Handled at",
    "处理结果": "Outcome",
    "已恢复活动": "Campaign resumed",
    "已结束活动": "Campaign ended",
    "已自动暂停": "Paused automatically",
    "开启异常自动暂停": "Pause automatically on anomalies",
    "异常分钟": "Anomalous minute",
    "异常告警": "Anomaly alerts",
    "异常监控设置": "Anomaly watch settings",
    "异常监控设置已保存。": "Anomaly watch settings saved.",
    "异常自动暂停": "Paused for anomaly",
    "待处理": "Open",
    "新账号占比上限(%)": "Max share of new accounts (%)",
    "新账号占比上限须在 1% 到 100% 之间。": "The max share of new accounts must be between 1% and 100%.",
    "新账号占比过高": "Too many new accounts",
    "新账号参与次数": "Participations by new accounts",
    "每分钟参与次数超过预期的多少倍视为异常": "How many times the expected participation per minute counts as an anomaly",
    "活动已恢复。": "Campaign resumed.",
    "活动已结束。": "Campaign ended.",
    "突增倍数": "Spike multiplier",
    "突增倍数须在 2 到 100 之间。": "The spike multiplier must be between 2 and 100.",
    "触发原因": "Reasons",
    "证据": "Evidence",
    "预期下限(次/分钟)": "Expected floor (per minute)",
    "预期下限至少为每分钟 1 次。": "The expected floor must be at least 1 per minute.",
    "预期参与次数不低于此值，避免冷启动时误报": "Expected participation is never below this, so a quiet start raises no false alarm",
    "预期次数": "Expected",
    "修改异常监控": "Changed anomaly watch",
    "处理异常告警": "Handled anomaly alert",
    "%(n)s 个账号": "%(n)s accounts",
    "每分钟参与 %(n)s 次，预期 %(e)s 次": "%(n)s participations a minute, %(e)s expected",
    "共 %(n)s 台设备": "%(n)s devices in all",
    "共 %(n)s 个 IP": "%(n)s IP addresses in all",
    "每分钟：参与量突增或新账号、同一 IP/设备集中参与的营销活动自动暂停，并提醒商家。": (
        "Every minute: pauses campaigns with a participation spike or a crowd of new accounts or accounts on "
        "one IP address/device, and alerts the merchant."
    ),
    "活动异常监控": "Campaign anomaly watch",
    "修改异常监控设置": "Change anomaly watch settings",
    "参与异常，已自动暂停": "Unusual participation, paused automatically",
    "参与次数 / 预期": "Participations / expected",
    "参与量突增或疑似刷单时，活动会自动暂停。请查看证据后选择恢复或结束活动。": (
        "On a participation spike or suspected brushing the campaign pauses automatically. "
        "Look at the evidence, then resume or end the campaign."
    ),
    "处理": "Action",
    "异常监控": "Anomaly watch",
    "恢复活动": "Resume campaign",
    "新账号参与": "New-account participations",
    "暂无异常告警。": "No anomaly alerts.",
    "查看证据并处理": "See the evidence and act",
    "每分钟比较本活动的参与次数（下单、领券、参团等）与前 15 分钟的平均水平，并检查新账号占比和同一 IP / 设备的账号数；超过阈值时自动暂停活动并提醒商家。": (
        "Every minute this campaign's participation (orders, coupon claims, group joins…) is compared with the "
        "average of the 15 minutes before, and the share of new accounts and the accounts per IP address/device "
        "are checked; past a threshold the campaign pauses automatically and the merchant is alerted."
    ),
    "活动异常，已自动暂停：": "Unusual activity, paused automatically:",
    "确定结束活动？所有工具会同时结束。": "End the campaign? All its tools end at the same time.",
    "账号最多的 IP": "IP addresses with most accounts",
    "账号最多的设备": "Devices with most accounts",
}
