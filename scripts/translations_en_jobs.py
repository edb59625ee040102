"""English for the strings lane "jobs" added (background sheet jobs, P06 point 5): msgid → English.

The lead moves these into locale/en/LC_MESSAGES/django.po at merge.
"""

EN = {
    # Model and fields
    "表格任务": "Sheet jobs",
    "表格任务批次": "Sheet job batch",
    "会员导入": "Member import",
    "会员导出": "Member export",
    "按名单发券": "Grant coupons to a list",
    "优惠券模板导出": "Coupon template export",
    "优惠券导出": "Coupon export",
    "财务导出": "Finance export",
    "排队中": "Queued",
    "进行中": "Running",
    "已完成": "Done",
    "失败": "Failed",
    "类型": "Kind",
    "状态": "Status",
    "参数": "Parameters",
    "上传的文件": "Uploaded file",
    "上传文件名": "Uploaded file name",
    "结果文件": "Result file",
    "下载文件名": "Download file name",
    "总行数": "Total rows",
    "已处理": "Processed",
    "错误": "Errors",
    "错误数": "Error count",
    "结果说明": "Result",
    "运行次数": "Runs",
    "最近进度时间": "Last progress at",
    "操作人": "Operator",
    "提交时间": "Submitted at",
    "开始时间": "Started at",
    "完成时间": "Finished at",
    "任务": "Job",
    "批次": "Batch",
    "起始行": "First line",
    "结束行": "Last line",
    "行数": "Rows",
    "已生效": "Applied",
    "明细": "Details",
    "写入时间": "Written at",
    # Services: outcomes and refusals
    "任务出错，请稍后重新提交；已写入的批次见下方列表。": (
        "The job failed; please submit it again later. The batches already written are listed below."
    ),
    "任务多次中断，已停止：已写入的批次保留，请把其余行重新提交。": (
        "The job was interrupted too many times and has stopped: the batches already written stay; "
        "please submit the remaining rows again."
    ),
    "提交人已无权执行该任务。": "The person who submitted this job may no longer run it.",
    "一次最多导入 %(n)d 行。": "At most %(n)d rows per import.",
    "会员表中没有数据行。": "The member sheet has no data rows.",
    "名单中没有数据行。": "The list has no data rows.",
    "无法读取该 xlsx 文件。": "This xlsx file cannot be read.",
    "表头中没有“手机号”一列。": "The header has no “Phone” column.",
    "共 %(n)d 处错误，整份表格未导入；请改正后重新上传。": (
        "%(n)d problems found; nothing from the sheet was imported. Please correct them and upload again."
    ),
    "检查通过：共 %(n)d 行，可以导入。": "Check passed: %(n)d rows, ready to import.",
    "该批次未导入：%(m)s": "This batch was not imported: %(m)s",
    "该批次未导入：另一份会员表刚刚导入了相同的手机号。": (
        "This batch was not imported: another member sheet has just imported the same phone number."
    ),
    "已导入 %(n)d 行；%(b)d 个批次未导入（见下方列表），请把这些行重新上传。": (
        "%(n)d rows imported; %(b)d batches were not imported (listed below). Please upload those rows again."
    ),
    "已导入 %(n)d 位会员，其中 %(m)d 位已匹配到现有会员，其余等待会员绑定手机号。": (
        "%(n)d members imported, %(m)d of them matched to existing shoppers; the others wait until a "
        "shopper binds that phone number."
    ),
    "已导出 %(n)d 位会员。": "%(n)d members exported.",
    "已导出 %(n)d 行。": "%(n)d rows exported.",
    "已导出 %(n)d 笔订单，实收合计 %(net)s。": "%(n)d orders exported, net received %(net)s.",
    "已导出 %(n)d 行商品明细。": "%(n)d order lines exported.",
    "已发放 %(g)d 张，跳过 %(s)d 行。": "%(g)d granted, %(s)d rows skipped.",
    "已发放": "Granted",
    "行号": "Line",
    "手机号或会员 ID": "Phone or member ID",
    "会员 ID": "Member ID",
    "结果": "Result",
    "会员": "Members",
    "文件太大：最多 %(mb)d MB。": "File too large: at most %(mb)d MB.",
    # Console
    "表格任务：%(kind)s": "Sheet job: %(kind)s",
    "已读取 %(done)d 行": "%(done)d rows read",
    "%(done)d / %(total)d 行": "%(done)d / %(total)d rows",
    "表格较大，已转为后台任务；可以离开本页，完成后在“表格任务”中查看结果。": (
        "The sheet is large, so it runs as a background job; you may leave this page and see the result "
        "under “Sheet jobs” when it is done."
    ),
    "数据较多，已转为后台任务；完成后在本页下载，也可以在“表格任务”中找到。": (
        "There are many rows, so the export runs as a background job; download it from this page when it "
        "is done, or find it under “Sheet jobs”."
    ),
    "xlsx 或 csv，第一行为表头：手机号、姓名、生日、会员等级、积分、标签、累计消费(元)；手机号必填。"
    "超过 5000 行的表格在后台导入，可查看进度。": (
        "xlsx or csv with a header row: phone, name, birthday, tier, points, tags, total spend (yuan); "
        "the phone is required. Sheets over 5,000 rows are imported in the background with a progress bar."
    ),
    "xlsx 或 csv，第一列为手机号或会员 ID（可有表头“手机号”或“会员 ID”）。超过 5000 行的名单在后台发放，可查看进度。": (
        "xlsx or csv whose first column is a phone number or member ID (a header “Phone” or “Member ID” "
        "is allowed). Lists over 5,000 rows are granted in the background with a progress bar."
    ),
    "超过 5000 行的导入和导出在后台进行：可以离开本页，完成后在这里下载。": (
        "Imports and exports over 5,000 rows run in the background: you may leave this page and download "
        "the result here when it is done."
    ),
    "提交人": "Submitted by",
    "进度": "Progress",
    "下载": "Download",
    "还没有后台任务。": "No background jobs yet.",
    "文件": "File",
    "下载结果文件": "Download the result",
    "任务在后台进行，可以离开本页；完成后在“表格任务”中下载。": (
        "The job runs in the background; you may leave this page and download the result under “Sheet jobs”."
    ),
    "问题": "Problem",
    "手机号": "Phone",
    "第 %(n)s 批（第 %(first)s–%(last)s 行）": "Batch %(n)s (lines %(first)s–%(last)s)",
    "另有 %(n)s 处问题未列出，请先改正以上各行。": (
        "%(n)s more problems are not listed; please correct the lines above first."
    ),
    "已写入的批次": "Batches written",
    "每个批次整批写入或整批不写；任务中断后从未写入的批次继续，已写入的批次不会重复生效。": (
        "Each batch is written whole or not at all; an interrupted job continues from the first batch not "
        "yet written, and a batch already written never applies twice."
    ),
    # Audit page
    "提交表格任务": "Submitted a sheet job",
    "下载表格任务结果": "Downloaded a sheet job's result",
    "未导入批次": "Batches not imported",
    # Scheduled jobs page
    "续跑中断的表格任务": "Resume interrupted sheet jobs",
    "每 5 分钟：工作进程中断的导入导出任务从未写入的批次继续，运行 3 次仍未完成则标记失败。": (
        "Every 5 minutes: imports and exports whose worker stopped continue from the first batch not yet "
        "written; after 3 runs without finishing they are marked failed."
    ),
}
