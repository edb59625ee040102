"""The coupon sheets (P06): templates and issued coupons (state, used on which order) as xlsx or
csv, behind ``marketing.export_coupons`` and audited with the row count. Amounts in yuan."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.errors import PermissionDenied
from mall.money import format_yuan
from mall.services.audit import audit_record
from mall.services.sheets import csv_bytes, xlsx_bytes
from marketing.models import Coupon, CouponTemplate
from marketing.selectors.coupons import template_summary

EXPORT_PERMISSION = "marketing.export_coupons"
FORMATS = ("xlsx", "csv")


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def template_sheet_rows(queryset: QuerySet[CouponTemplate]) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("模板 ID"),
        _("名称"),
        _("类型"),
        _("优惠"),
        _("使用门槛(元)"),
        _("叠加分组"),
        _("发放方式"),
        _("有效期"),
        _("发放总量"),
        _("已发放"),
        _("每人限领"),
        _("启用"),
    ]
    rows = []
    for t in queryset.order_by("pk"):
        if t.valid_days:
            validity = _("领取后 %(n)d 天") % {"n": t.valid_days}
        else:
            validity = f"{_when(t.valid_from)} ~ {_when(t.valid_until)}"
        rows.append(
            [
                t.pk,
                t.name,
                t.get_kind_display(),
                template_summary(t),
                format_yuan(t.threshold),
                t.get_group_display(),
                t.get_channel_display(),
                validity,
                _("不限") if t.total_quantity is None else t.total_quantity,
                t.issued_count,
                t.per_user_limit,
                _("是") if t.is_active else _("否"),
            ]
        )
    return header, rows


def coupon_sheet_rows(queryset: QuerySet[Coupon]) -> tuple[list[str], list[list[Any]]]:
    header = [
        _("优惠券 ID"),
        _("模板"),
        _("会员 ID"),
        _("会员昵称"),
        _("状态"),
        _("生效时间"),
        _("失效时间"),
        _("使用订单"),
        _("使用时间"),
        _("领取时间"),
    ]
    rows = [
        [
            c.pk,
            c.template.name,
            c.member_id,
            c.member.nickname,
            c.get_status_display(),
            _when(c.valid_from),
            _when(c.valid_until),
            c.order.no if c.order_id and c.order else "",
            _when(c.used_at),
            _when(c.claimed_at),
        ]
        for c in queryset.select_related("template", "member", "order").order_by("pk")
    ]
    return header, rows


def coupon_sheet_export(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    dataset: str,
    fmt: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> bytes:
    """The file (xlsx, or csv in UTF-8 with BOM for Excel) after checking the export permission;
    audited with who, the dataset and the row count."""
    if actor is None or not actor.has_perm(EXPORT_PERMISSION):  # type: ignore[union-attr]
        raise PermissionDenied(details={"permission": EXPORT_PERMISSION})
    content = xlsx_bytes(header, rows, title=dataset) if fmt == "xlsx" else csv_bytes(header, rows)
    audit_record(actor=actor, action="export.coupons", data={"dataset": dataset, "format": fmt, "rows": len(rows)})
    return content
