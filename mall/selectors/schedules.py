"""The shop's scheduled jobs as the merchant sees them: what each does, how often, when it last ran.

The jobs themselves are :data:`mall.schedules.BEAT_SCHEDULE` (code, one place); beat keeps its
run record in django-celery-beat's ``PeriodicTask`` rows under the same names, read here in
one query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery.schedules import crontab
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_celery_beat.models import PeriodicTask

from mall.schedules import BEAT_SCHEDULE

# Every job in BEAT_SCHEDULE has its name and purpose here (a test keeps them in step).
JOB_TEXTS: Mapping[str, tuple[Promise, Promise]] = {
    "marketing-lifecycle-journeys": (
        gettext_lazy("生命周期旅程"),
        gettext_lazy("每天上午 10 点：沉睡召回、生日福利、复购提醒，每位顾客每个场景只发一次。"),
    ),
    "analytics-roll-up-attribution": (
        gettext_lazy("汇总营销效果数据"),
        gettext_lazy("按天汇总各营销工具和商品的成交、成本与新客，供数据页面读取。"),
    ),
    "analytics-suggestions": (
        gettext_lazy("生成智能建议"),
        gettext_lazy("每天凌晨 3:30：根据近 30 天的营销数据生成建议，每条建议每天只生成一次。"),
    ),
    "marketing-pages-schedule": (
        gettext_lazy("活动页面定时发布"),
        gettext_lazy("每分钟检查：到点发布或下线商家设好时间的活动页面，每次设定只执行一次。"),
    ),
    "mall-sheet-jobs-recover": (
        gettext_lazy("续跑中断的表格任务"),
        gettext_lazy("每 5 分钟：工作进程中断的导入导出任务从未写入的批次继续，运行 3 次仍未完成则标记失败。"),
    ),
    "orders-release-expired-locks": (
        gettext_lazy("释放超时未付款订单"),
        gettext_lazy("15 分钟未付款的订单自动取消，库存、优惠券和积分退回。"),
    ),
    "orders-auto-complete-delivered": (
        gettext_lazy("自动确认收货"),
        gettext_lazy("发货后到期未确认的订单自动完成，积分和佣金随之结算。"),
    ),
    "orders-after-sales-timeouts": (
        gettext_lazy("售后超时处理"),
        gettext_lazy("商家 48 小时未处理的售后申请自动同意；7 天未寄回的退货申请自动关闭。"),
    ),
    "payments-reconcile-stale": (
        gettext_lazy("支付对账"),
        gettext_lazy("向微信支付查询迟迟未回调的支付和退款，补记结果。"),
    ),
    "members-recompute-tags": (
        gettext_lazy("重算会员标签"),
        gettext_lazy("每晚按规则重算自动标签（高消费、高频购买、价格敏感、偏好类目、新客、沉睡）和 RFM 分组。"),
    ),
    "members-layer-snapshot": (
        gettext_lazy("会员分层快照"),
        gettext_lazy("每天记下本月每位会员所在的分层（高价值、潜力、低频、流失风险），用于统计分层间的流动。"),
    ),
    "marketing-expire-coupons": (
        gettext_lazy("优惠券过期"),
        gettext_lazy("把到期未用的优惠券标记为已过期。"),
    ),
    "marketing-remind-expiring-coupons": (
        gettext_lazy("优惠券到期提醒"),
        gettext_lazy("优惠券到期前一天提醒顾客（每人每天一条）。"),
    ),
    "marketing-release-commissions": (
        gettext_lazy("佣金解冻"),
        gettext_lazy("订单完成 7 天后，推广员的佣金转为可提现。"),
    ),
    "marketing-group-buy-deadlines": (
        gettext_lazy("拼团到期处理"),
        gettext_lazy("到期未成团的团自动失败并原路退款，虚拟成团的团自动成团。"),
    ),
    "marketing-team-settlement": (
        gettext_lazy("组队瓜分结算"),
        gettext_lazy(
            "达标团队等售后期满后按活动规则瓜分奖励券，截止仍未达标的团队结束并通知队员（每个团队只结算一次）。"
        ),
    ),
    "marketing-bargain-deadlines": (
        gettext_lazy("砍价到期处理"),
        gettext_lazy("到期的砍价自动结束。"),
    ),
    "marketing-flash-end-slots": (
        gettext_lazy("秒杀场次结束"),
        gettext_lazy("结束到点的秒杀场次，剩余库存退回商品库存。"),
    ),
    "marketing-campaign-budgets": (
        gettext_lazy("活动预算检查"),
        gettext_lazy("每分钟：预算已用完或有订单因预算不足被拒的营销活动自动暂停。"),
    ),
    "marketing-campaign-anomaly-watch": (
        gettext_lazy("活动异常监控"),
        gettext_lazy("每分钟：参与量突增或新账号、同一 IP/设备集中参与的营销活动自动暂停，并提醒商家。"),
    ),
    "marketing-live-rooms-sync": (
        gettext_lazy("同步直播间"),
        gettext_lazy("从微信小程序直播读取直播间、直播商品和回放，更新状态（预告、直播中、回放）。"),
    ),
    "marketing-live-reminders": (
        gettext_lazy("直播开播提醒"),
        gettext_lazy("直播间开播前 15 分钟提醒关注它的顾客（每位顾客每个直播间只提醒一次）。"),
    ),
    "marketing-flash-reconcile-gates": (
        gettext_lazy("秒杀库存核对"),
        gettext_lazy("核对 Redis 抢购闸门与数据库的库存，发现偏差即修复。"),
    ),
    "marketing-issue-invite-rewards": (
        gettext_lazy("补发邀请奖励"),
        gettext_lazy("补发因故未发出的邀请有礼优惠券（每人只发一次）。"),
    ),
    "marketing-whatif-stale-runs": (
        gettext_lazy("效果模拟中断处理"),
        gettext_lazy("后台计算中断的效果模拟标记为失败，商家可重新模拟。"),
    ),
    "members-release-held-pushes": (
        gettext_lazy("发送免打扰期间暂缓的推送"),
        gettext_lazy("免打扰时段结束后，把暂缓的订阅消息逐条发出（每条只发一次）。"),
    ),
    "analytics-drain-events": (
        gettext_lazy("写入行为事件"),
        gettext_lazy("把小程序上报并排队的行为事件批量写入数据表（每条只写一次）。"),
    ),
    "analytics-behaviour-rollups": (
        gettext_lazy("行为数据汇总"),
        gettext_lazy("重算今天和昨天的页面、漏斗、路径、放弃原因等日汇总，看板只读汇总。"),
    ),
    "analytics-maintain-partitions": (
        gettext_lazy("行为明细分区维护"),
        gettext_lazy("提前建好未来几天的按日分区，删除超过保留天数的行为明细。"),
    ),
    "members-tiers-monthly-evaluation": (
        gettext_lazy("会员等级月度评估"),
        gettext_lazy("每月评估一次会员等级：未达标先进入保级月并提醒，保级月后仍未达标降一级（每人每月只评一次）。"),
    ),
    "members-points-expiry": (
        gettext_lazy("积分过期与提醒"),
        gettext_lazy("积分到期前一个月提醒会员，到期后扣除过期积分（每人每年各只一次）。"),
    ),
    "members-checkin-reminder": (
        gettext_lazy("签到提醒"),
        gettext_lazy(
            "每天 19:30 提醒昨天签到、今天还没签到的会员（每人每天只提醒一次，遵守订阅、月度上限和免打扰时段）。"
        ),
    ),
}


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    title: str
    purpose: str
    every: str
    enabled: bool
    last_run_at: datetime | None
    runs: int


def every_text(schedule: Any) -> str:
    """How often a job runs, in words: 每 5 分钟, 每小时, 每天."""
    if isinstance(schedule, timedelta):
        seconds = int(schedule.total_seconds())
        if seconds % 86400 == 0:
            days = seconds // 86400
            return _("每天") if days == 1 else _("每 %(n)d 天") % {"n": days}
        if seconds % 3600 == 0:
            hours = seconds // 3600
            return _("每小时") if hours == 1 else _("每 %(n)d 小时") % {"n": hours}
        if seconds % 60 == 0:
            return _("每 %(n)d 分钟") % {"n": seconds // 60}
        return _("每 %(n)d 秒") % {"n": seconds}
    daily = isinstance(schedule, crontab) and schedule._orig_day_of_week == schedule._orig_day_of_month == "*"
    if daily and len(schedule.hour) == 1 and len(schedule.minute) == 1:
        at = f"{next(iter(schedule.hour)):02d}:{next(iter(schedule.minute)):02d}"
        return _("每天 %(at)s") % {"at": at}
    return str(schedule)


def scheduled_jobs() -> list[ScheduledJob]:
    """Every job of the schedule with beat's record of it (one query)."""
    records = {task.name: task for task in PeriodicTask.objects.filter(name__in=list(BEAT_SCHEDULE))}
    jobs = []
    for name, entry in BEAT_SCHEDULE.items():
        title, purpose = JOB_TEXTS.get(name, (name, ""))
        record = records.get(name)
        jobs.append(
            ScheduledJob(
                name=name,
                title=str(title),
                purpose=str(purpose),
                every=every_text(entry["schedule"]),
                enabled=record.enabled if record is not None else True,
                last_run_at=record.last_run_at if record is not None else None,
                runs=record.total_run_count if record is not None else 0,
            )
        )
    return jobs
