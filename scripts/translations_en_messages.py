# ruff: noqa: E501 - one translation per line reads better than wrapped strings
"""English for messages to shoppers: the inbox and WeChat subscribe pushes (F48)."""

EN_MESSAGES: dict[str, str] = {
    "工具发送的消息类型，如 flash_restock（补货提醒）、group_failed（拼团失败）。": "The kind of message a tool sends, e.g. flash_restock (restock alert), group_failed (group buy failed).",
    '模板字段 → 内容：title（标题）、body（内容）、time（时间）或 "text:固定文字"，如 {"thing1": "title"}。': 'Template key → content: title, body, time or "text:fixed text", e.g. {"thing1": "title"}.',
    "订阅消息模板设置有误：请检查消息类型、模板 ID 和字段映射（如 thing1 → title）。": "The subscribe template is invalid: check the kind, the template ID and the field mapping (e.g. thing1 → title).",
    "不推送": "Not pushed",
    "字段映射": "Field mapping",
    "小程序页面": "Mini-program page",
    "已推送": "Pushed",
    "已读时间": "Read at",
    "待推送": "Waiting to push",
    "推送": "Push",
    "推送中": "Pushing",
    "推送失败": "Push failed",
    "推送结果": "Push result",
    "模板 ID": "Template ID",
    "消息类型": "Message kind",
    "留空则使用消息自带的页面": "Leave empty to open the message's own page",
    "站内消息": "Inbox message",
    "订阅消息模板": "Subscribe message template",
    "超出本月上限": "Over this month's limit",
    "跳转页面": "Page to open",
    "该消息类型已有模板。": "This kind of message already has a template.",
    "过期提醒时间": "Expiry reminder sent",
    "您有 %(n)d 张优惠券即将过期": "%(n)d of your coupons expire soon",
    "最早于 %(at)s 过期，别忘了使用": "The first expires at %(at)s: don't forget to use it",
}
