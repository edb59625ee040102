"""English for the Chinese msgids lane studio added (issue 17 gaps); the lead fills the catalogue."""

EN = {
    # page editor: 拼团 / 砍价 created inline
    "新建拼团活动": "New group buy",
    "新建砍价活动": "New bargain",
    "商品编号": "Product ID",
    "填写活动规则": "Fill in the rules",
    "创建活动": "Create",
    "已创建并加入本区块：": "Created and added to this block: ",
    "请填写正确的商品编号。": "Enter a valid product ID.",
    # anomaly watch: one street address behind many accounts
    "同一收货地址/手机号账号数上限": "Max accounts per delivery address / phone",
    "一分钟内下单的账号中，同一收货地址或同一收货手机号的账号数超过此值视为异常": (
        "Anomalous when more accounts than this order to one delivery address or one receiver phone within a minute"
    ),
    "同一收货地址/手机号账号数上限至少为 1。": "Max accounts per delivery address / phone must be at least 1.",
    "同一收货地址账号过多": "Too many accounts at one delivery address",
    "收货地址": "Delivery address",
    # staff alerts to the duty roster
    "【店铺告警】%(title)s": "[Shop alert] %(title)s",
    "时间：%(when)s": "Time: %(when)s",
    "处理：": "Act on it: ",
    "到后台处理": "Open the console",
    "活动「%(name)s」异常，已自动暂停": "Campaign “%(name)s” looks abnormal and was paused",
    "活动「%(name)s」出现异常": "Campaign “%(name)s” looks abnormal",
    "%(minute)s 这一分钟参与 %(n)d 次，预期 %(expected)d 次，其中新账号 %(new)d 次": (
        "In the minute of %(minute)s: %(n)d participations against %(expected)d expected, %(new)d by new accounts"
    ),
    "触发原因：%(reasons)s": "Why: %(reasons)s",
    "%(name)s %(n)d 个账号": "%(name)s %(n)d accounts",
    "账号最多的 IP": "IPs with the most accounts",
    "账号最多的设备": "Devices with the most accounts",
    "收货手机号": "Receiver phones",
    "营销活动异常": "Campaign anomaly",
    "告警已不存在。": "The alert no longer exists.",
    "企业微信未应答，可能已送达": "WeCom did not answer; it may have been delivered",
    "发送中断，可能已送达": "Sending was interrupted; it may have been delivered",
    "邮件发送失败：%(e)s": "The e-mail could not be sent: %(e)s",
    "企业微信群机器人拒绝了消息。": "The WeCom group robot refused the message.",
    "企业微信暂时无法连接，请稍后再试。": "WeCom cannot be reached right now; please try again shortly.",
    "告警通知补发": "Alert deliveries catch-up",
    "每分钟：把异常告警补发给当时值班的员工（被拒的重试至多 3 次），每个邮箱或群只发一次。": (
        "Every minute: sends anomaly alerts to the staff who were on duty (a refusal is retried up to 3 times); "
        "each mailbox or group gets it once."
    ),
    "小程序路径（横幅、二维码可用；顾客分享时自动带上分享人）": (
        "Mini-program path (for banners and QR codes; a shopper's share adds the sharer)"
    ),
    # duty roster (系统 › 值班)
    "值班": "On duty",
    "值班安排": "Duty shifts",
    "值班员工": "Staff on duty",
    "值班日": "Weekdays",
    "开始时间": "Starts at",
    "结束时间": "Ends at",
    "通知邮箱": "Alert e-mail",
    "企业微信群机器人地址": "WeCom group robot webhook",
    "启用": "Active",
    "创建时间": "Created",
    "更新时间": "Updated",
    "周一": "Mon",
    "周二": "Tue",
    "周三": "Wed",
    "周四": "Thu",
    "周五": "Fri",
    "周六": "Sat",
    "周日": "Sun",
    "邮件": "E-mail",
    "企业微信群": "WeCom group",
    "待发送": "Pending",
    "发送中": "Sending",
    "已送达": "Delivered",
    "发送失败": "Failed",
    "结果未知": "Unknown outcome",
    "告警类型": "Alert type",
    "告警编号": "Alert ID",
    "渠道": "Channel",
    "发送地址": "Sent to",
    "状态": "Status",
    "尝试次数": "Attempts",
    "失败原因": "Failure reason",
    "开始发送时间": "Sending started",
    "送达时间": "Delivered at",
    "告警通知": "Alert deliveries",
    "值班安排有误。": "The duty shift is not valid.",
    "值班安排不存在。": "The duty shift does not exist.",
    "请选择在职的员工。": "Choose an active staff member.",
    "请至少选择一个值班日。": "Choose at least one weekday.",
    "结束时间不能与开始时间相同（跨夜请把结束时间设在次日，如 22:00–08:00）。": (
        "The end cannot equal the start (for a night shift end it the next day, e.g. 22:00–08:00)."
    ),
    "请至少填写通知邮箱或企业微信群机器人地址之一。": "Give an e-mail address or a WeCom group robot webhook, or both.",
    "企业微信群机器人地址应形如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…（在群设置里复制）。": (
        "A WeCom group robot webhook looks like https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… "
        "(copy it from the group settings)."
    ),
    "早于开始时间表示跨夜，如 22:00–08:00": "Earlier than the start means overnight, e.g. 22:00–08:00",
    "群设置 › 群机器人 › 复制 Webhook 地址": "Group settings › Group robots › copy the webhook address",
    "次日 %(t)s": "next day %(t)s",
    "值班安排已添加。": "Duty shift added.",
    "值班安排已删除。": "Duty shift removed.",
    "已启用。": "Switched on.",
    "已停用。": "Switched off.",
    "停用": "Switch off",
    "删除": "Remove",
    "添加": "Add",
    "添加值班": "Add a shift",
    "已停用": "Off",
    "正在值班": "On duty now",
    "未到值班时间": "Not on duty now",
    "通知方式": "Reached by",
    "时间": "Time",
    "告警": "Alert",
    "最近的告警通知": "Latest alert deliveries",
    "确定删除这条值班安排？": "Remove this duty shift?",
    "还没有值班安排：出现异常时只会在后台顶部提示，不会通知任何人。": (
        "No duty shifts yet: an anomaly only shows as the console banner and nobody is messaged."
    ),
    "还没有发出过告警通知。": "No alert has been sent yet.",
    "尝试 %(n)s 次": "%(n)s attempts",
    (
        "营销活动出现异常（参与量突增、疑似刷单）时，除后台顶部的提示外，系统会给当时值班的员工各发一次通知"
        "（邮件和/或企业微信群），附上证据和处理链接。时间均为北京时间。"
    ): (
        "When a campaign looks abnormal (a surge, suspected brushing), besides the console banner the staff on duty "
        "at that moment are each told once (e-mail and/or WeCom group) with the evidence and a link to act on it. "
        "All times are Beijing time."
    ),
}
