"""Campaigns aimed at a segment (F34 targeting, B03 holdout).

:func:`segment_campaign_start` freezes the segment's members into :class:`CampaignMember` rows,
each treated or held out by a stable hash of (campaign, shopper) (:func:`is_holdout`), and
hands delivery to a worker. :func:`segment_campaign_deliver` gives each treated shopper the
coupon and/or the message (the message system applies consent credits, the monthly cap and
quiet hours; its skip reasons are the report's), row by row, each exactly once.
:func:`segment_campaign_report` compares treated and holdout over the window, set-based.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from mall.services.audit import audit_record
from marketing.models import Coupon, CouponStatus, CouponTemplate
from members.global_holdout import global_holdout_current
from members.models import CampaignMember, Member, Message, Segment, SegmentCampaign
from members.people_errors import AudienceNotAllowed, CampaignAlreadyStarted, CampaignInvalid
from members.selectors.people import order_net_amount, spending_orders
from members.selectors.segments import segment_members

Actor = AbstractBaseUser | AnonymousUser | None
HOLDOUT_MAX = 50
BUCKETS = 10_000
CHUNK = 1_000
MESSAGE_KIND = "segment_campaign"


def holdout_bucket(campaign_id: int, member_id: int) -> int:
    """0..9999, stable for (campaign, shopper): CRC32 of "campaign:member" (same as SQL CRC32)."""
    return zlib.crc32(f"{campaign_id}:{member_id}".encode()) % BUCKETS


def is_holdout(campaign_id: int, member_id: int, percent: int) -> bool:
    return holdout_bucket(campaign_id, member_id) < percent * BUCKETS // 100


@dataclass(frozen=True, kw_only=True)
class CampaignData:
    name: str
    segment_id: int
    coupon_template_id: int | None = None
    message_title: str = ""
    message_body: str = ""
    holdout_percent: int = 0
    window_days: int = 14
    follow_up: bool = False
    points: int = 0


def _validate(data: CampaignData) -> None:
    problems: dict[str, Any] = {}
    if not data.name.strip():
        problems["name"] = "required"
    if not 0 <= data.holdout_percent <= HOLDOUT_MAX:
        problems["holdout_percent"] = HOLDOUT_MAX
    if not 1 <= data.window_days <= 90:
        problems["window_days"] = "1-90"
    if not 0 <= data.points <= 100_000:
        problems["points"] = "0-100000"
    if data.coupon_template_id is None and not data.message_title.strip() and not data.follow_up and not data.points:
        problems["benefit"] = "coupon, message or follow-up"
    if not Segment.objects.filter(pk=data.segment_id).exists():
        problems["segment_id"] = data.segment_id
    if data.coupon_template_id is not None and not CouponTemplate.objects.filter(pk=data.coupon_template_id).exists():
        problems["coupon_template_id"] = data.coupon_template_id
    if problems:
        raise CampaignInvalid(details=problems)


@transaction.atomic
def segment_campaign_create(*, actor: Actor, data: CampaignData) -> SegmentCampaign:
    _validate(data)
    user = actor if isinstance(actor, User) else None
    campaign = SegmentCampaign.objects.create(
        name=data.name.strip()[:40],
        segment_id=data.segment_id,
        coupon_template_id=data.coupon_template_id,
        message_title=data.message_title.strip()[:60],
        message_body=data.message_body.strip()[:300],
        holdout_percent=data.holdout_percent,
        window_days=data.window_days,
        follow_up=data.follow_up,
        points=data.points,
        created_by=user,
    )
    audit_record(actor=actor, action="segment_campaign.create", target=campaign, data={"name": campaign.name})
    return campaign


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


@transaction.atomic
def segment_campaign_start(*, actor: Actor, campaign_id: int, now: datetime | None = None) -> SegmentCampaign:
    """Freeze the segment's members now (treated / holdout) and hand delivery to a worker."""
    now = now or timezone.now()
    campaign = SegmentCampaign.objects.select_for_update().select_related("segment").get(pk=campaign_id)
    if campaign.status != SegmentCampaign.Status.DRAFT:
        raise CampaignAlreadyStarted(details={"campaign_id": campaign_id})
    ids = list(segment_members(campaign.segment.rules, now).order_by("pk").values_list("pk", flat=True))
    # Shoppers in the global holdout are left out, recorded as skipped (delivered, nothing given).
    held = global_holdout_current().held_out(ids)
    for chunk in _chunks(ids):
        CampaignMember.objects.bulk_create(
            [
                CampaignMember(
                    campaign=campaign,
                    member_id=pk,
                    delivered=True,
                    skip_reason=CampaignMember.Skip.GLOBAL_HOLDOUT,
                )
                if pk in held
                else CampaignMember(
                    campaign=campaign, member_id=pk, is_holdout=is_holdout(campaign.pk, pk, campaign.holdout_percent)
                )
                for pk in chunk
            ],
            ignore_conflicts=True,
        )
    campaign.status, campaign.started_at = SegmentCampaign.Status.SENDING, now
    campaign.save(update_fields=["status", "started_at"])
    audit_record(
        actor=actor,
        action="segment_campaign.start",
        target=campaign,
        data={"members": len(ids), "global_holdout": len(held)},
    )
    transaction.on_commit(lambda: _enqueue_delivery(campaign_id), robust=True)
    return campaign


def _enqueue_delivery(campaign_id: int) -> None:
    from members.people_tasks import segment_campaign_deliver_task

    segment_campaign_deliver_task.delay(campaign_id=campaign_id)


def _deliver_one(campaign: SegmentCampaign, template: CouponTemplate | None, row_id: int) -> None:
    from marketing.errors import CouponLimitReached, CouponSoldOut
    from marketing.services.coupons import coupon_issue

    with transaction.atomic():
        row = CampaignMember.objects.select_for_update().filter(pk=row_id, delivered=False).first()
        if row is None:
            return  # another run delivered it
        member = Member.objects.get(pk=row.member_id)
        changes: dict[str, Any] = {"delivered": True}
        if member.is_blocked:
            changes["skip_reason"] = CampaignMember.Skip.BLOCKED
        else:
            if template is not None:
                try:
                    with transaction.atomic():
                        changes["coupon"] = coupon_issue(member=member, template=template)
                except CouponLimitReached:
                    changes["skip_reason"] = CampaignMember.Skip.COUPON_LIMIT
                except CouponSoldOut:
                    changes["skip_reason"] = CampaignMember.Skip.COUPON_SOLD_OUT
                except AudienceNotAllowed:
                    changes["skip_reason"] = CampaignMember.Skip.AUDIENCE
            if campaign.points:
                from members.models import PointsEntry
                from members.services.points import points_grant

                points_grant(
                    member_id=member.pk,
                    delta=campaign.points,
                    reason=PointsEntry.Reason.GRANT,
                    ref=f"segment-campaign-{campaign.pk}",
                    note=campaign.name,
                )
            if campaign.message_title:
                from members.services.messages import message_send

                changes["message"] = message_send(
                    member_id=member.pk,
                    kind=MESSAGE_KIND,
                    title=campaign.message_title,
                    body=campaign.message_body,
                    link="/pages/coupons/index" if template is not None else "",
                    src=f"seg:{campaign.pk}",
                )
        for key, value in changes.items():
            setattr(row, key, value)
        row.save(update_fields=list(changes))


def segment_campaign_deliver(*, campaign_id: int) -> int:
    """Deliver to every treated shopper not yet delivered; safe to run twice. Returns how many."""
    campaign = SegmentCampaign.objects.select_related("coupon_template").get(pk=campaign_id)
    if campaign.status != SegmentCampaign.Status.SENDING:
        return 0
    template = campaign.coupon_template
    pending = CampaignMember.objects.filter(campaign_id=campaign_id, is_holdout=False, delivered=False)
    ids = list(pending.order_by("pk").values_list("pk", flat=True))
    for row_id in ids:
        _deliver_one(campaign, template, row_id)
    SegmentCampaign.objects.filter(pk=campaign_id, status=SegmentCampaign.Status.SENDING).update(
        status=SegmentCampaign.Status.SENT
    )
    return len(ids)


@dataclass(frozen=True)
class GroupFigures:
    members: int
    reached: int
    coupons_issued: int
    coupons_used: int
    buyers: int
    orders: int
    gmv: int  # fen

    @property
    def conversion(self) -> float:
        return self.buyers / self.members if self.members else 0.0


@dataclass(frozen=True)
class CampaignReport:
    treated: GroupFigures
    holdout: GroupFigures
    skipped: dict[str, int]  # reason → shoppers (coupon refusals and message push skips)
    window_end: datetime | None


def segment_campaign_report(*, campaign_id: int) -> CampaignReport:
    """Treated vs holdout over [start, start + window]: reached, coupons used, orders, GMV."""
    campaign = SegmentCampaign.objects.get(pk=campaign_id)
    start = campaign.started_at
    end = start + timedelta(days=campaign.window_days) if start else None
    groups: dict[bool, GroupFigures] = {}
    for holdout in (False, True):
        # Global-holdout shoppers were left out: in neither group, counted under ``skipped``.
        snapshot = CampaignMember.objects.filter(campaign_id=campaign_id, is_holdout=holdout).exclude(
            skip_reason=CampaignMember.Skip.GLOBAL_HOLDOUT
        )
        counts = snapshot.aggregate(
            members=Count("id"),
            reached=Count("id", filter=Q(coupon__isnull=False) | Q(message__isnull=False)),
            coupons=Count("coupon"),
        )
        used = Coupon.objects.filter(
            pk__in=snapshot.filter(coupon__isnull=False).values("coupon_id"), status=CouponStatus.USED
        ).count()
        figures = {"buyers": 0, "orders": 0, "gmv": 0}
        if start is not None and end is not None:
            orders = spending_orders(since=start).filter(paid_at__lt=end, member_id__in=snapshot.values("member_id"))
            agg = orders.aggregate(
                orders=Count("id"), buyers=Count("member_id", distinct=True), gmv=Sum(order_net_amount())
            )
            figures = {"buyers": agg["buyers"] or 0, "orders": agg["orders"] or 0, "gmv": agg["gmv"] or 0}
        groups[holdout] = GroupFigures(
            members=counts["members"],
            reached=counts["reached"],
            coupons_issued=counts["coupons"],
            coupons_used=used,
            **figures,
        )
    skipped: dict[str, int] = {}
    treated = CampaignMember.objects.filter(campaign_id=campaign_id, is_holdout=False)
    for row in treated.exclude(skip_reason="").values("skip_reason").annotate(n=Count("id")).order_by():
        skipped[row["skip_reason"]] = row["n"]
    pushes = Message.objects.filter(pk__in=treated.filter(message__isnull=False).values("message_id"))
    for row in pushes.exclude(skip_reason="").values("skip_reason").annotate(n=Count("id")).order_by():
        skipped[f"push_{row['skip_reason']}"] = row["n"]
    return CampaignReport(treated=groups[False], holdout=groups[True], skipped=skipped, window_end=end)


def campaign_follow_up_done(*, actor: Actor, row_id: int, note: str) -> CampaignMember:
    """Customer service ticks off a 专属客服回访 call (the churn-risk playbook's task list)."""
    with transaction.atomic():
        row = CampaignMember.objects.select_for_update().get(pk=row_id)
        row.followed_up_at, row.follow_up_note = timezone.now(), note[:200]
        row.save(update_fields=["followed_up_at", "follow_up_note"])
        audit_record(actor=actor, action="segment_campaign.follow_up", target=row, data={"note": row.follow_up_note})
    return row
