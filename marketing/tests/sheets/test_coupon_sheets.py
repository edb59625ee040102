"""Coupon sheets (P06): granting a template to a sheet of shoppers (each at most once per grant,
report of granted / skipped and why, raced against the quota) and the template / issued-coupon
exports (xlsx and csv, own permission, audited) — with a round trip from export to grant."""

from __future__ import annotations

import io
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from mall.models import AuditLog, Sku
from mall.services.sheets import xlsx_bytes
from marketing.errors import CouponGrantInvalid
from marketing.models import Coupon, CouponGrant, CouponGrantMember, CouponTemplate
from marketing.services.coupon_grants import GrantRow, coupon_grant_sheet
from marketing.tests.conftest import place
from members.models import Member
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:marketing_coupon_changelist"
TEMPLATES = "admin:marketing_coupontemplate_changelist"


def _grant_upload(client: Client, template: CouponTemplate, rows: list[list[Any]], header: list[str]) -> Any:
    sheet = SimpleUploadedFile("list.xlsx", xlsx_bytes(header, rows))
    with translation.override("zh-hans"):
        return client.post(
            reverse("admin:marketing_coupontemplate_grant", args=[template.pk]),
            {"sheet": sheet, "ref": uuid.uuid4().hex},
            follow=True,
        )


def _staff(codenames: list[str]) -> User:
    user = User.objects.create_user(f"s{uuid.uuid4().hex[:6]}", password="pw-1234567", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_console_grant_reports_every_row_with_its_reason(
    admin_client: Client, admin_user: User, make_template: Callable[..., CouponTemplate]
) -> None:
    template = make_template(total_quantity=3)
    gold_only = make_template(name="金卡券")
    by_phone = MemberFactory.create(phone="13800000001")
    by_id = MemberFactory.create()
    MemberFactory.create(phone="13800000009")
    MemberFactory.create(phone="13800000009")
    late = MemberFactory.create()
    last = MemberFactory.create()

    response = _grant_upload(
        admin_client,
        template,
        [
            ["13800000001"],
            [by_id.pk],
            ["13800000002"],
            ["138 0000 0001"],
            ["13800000009"],
            ["abc"],
            [late.pk],
            [last.pk],
        ],
        ["手机号或会员 ID"],
    )

    grant = CouponGrant.objects.get()
    assert (grant.rows, grant.granted, grant.skipped, grant.template_id) == (8, 3, 5, template.pk)
    outcomes = [(entry["line"], entry["outcome"]) for entry in grant.report]
    assert outcomes == [
        (2, "granted"),
        (3, "granted"),
        (4, "not_found"),
        (5, "duplicate"),
        (6, "ambiguous_phone"),
        (7, "invalid"),
        (8, "granted"),
        (9, "sold_out"),
    ]
    assert set(Coupon.objects.filter(template=template).values_list("member_id", flat=True)) == {
        by_phone.pk,
        by_id.pk,
        late.pk,
    }
    html = response.content.decode()
    assert "已发放 3 张，跳过 5 行。" in html
    assert "138****0002" in html and "13800000002" not in html
    for reason in ("找不到该会员", "重复的行（本次已发给该会员）", "该手机号对应多位会员", "优惠券已发完"):
        assert reason in html
    assert AuditLog.objects.filter(action="coupon.grant", actor=admin_user, data__granted=3).exists()
    assert gold_only.coupons.count() == 0


def test_audience_and_limit_are_skipped_and_a_resubmitted_form_grants_nothing_more(
    staff: User, make_template: Callable[..., CouponTemplate]
) -> None:
    template = make_template()
    CouponTemplate.objects.filter(pk=template.pk).update(audience={"tiers": ["gold"]})
    template.refresh_from_db()
    gold = MemberFactory.create(tier=Member.Tier.GOLD)
    normal = MemberFactory.create()
    rows = [GrantRow(line=1, value=str(gold.pk)), GrantRow(line=2, value=str(normal.pk))]

    first = coupon_grant_sheet(template_id=template.pk, rows=rows, ref="form-1", actor=staff)
    again = coupon_grant_sheet(template_id=template.pk, rows=rows, ref="form-1", actor=staff)
    second = coupon_grant_sheet(template_id=template.pk, rows=rows, ref="form-2", actor=staff)

    assert [e["outcome"] for e in first.report] == ["granted", "audience"]
    assert again.pk == first.pk
    assert [e["outcome"] for e in second.report] == ["limit", "audience"]
    assert Coupon.objects.filter(template=template).count() == 1
    assert CouponGrantMember.objects.count() == 1


def test_an_inactive_template_or_empty_sheet_is_refused(staff: User, make_template: Callable[..., Any]) -> None:
    template = make_template()
    with pytest.raises(CouponGrantInvalid):
        coupon_grant_sheet(template_id=template.pk, rows=[], ref="r", actor=staff)
    CouponTemplate.objects.filter(pk=template.pk).update(is_active=False)
    with pytest.raises(CouponGrantInvalid):
        coupon_grant_sheet(template_id=template.pk, rows=[GrantRow(1, "1")], ref="r2", actor=staff)
    assert not CouponGrant.objects.exists()


def test_grant_and_exports_need_their_own_permissions(client: Client, make_template: Callable[..., Any]) -> None:
    template = make_template()
    client.force_login(_staff(["view_coupontemplate", "view_coupon"]))

    assert client.get(reverse("admin:marketing_coupontemplate_grant", args=[template.pk])).status_code == 403
    with translation.override("zh-hans"):
        page = client.get(reverse(TEMPLATES)).content.decode()
    assert "export_templates_xlsx" not in page
    response = client.post(reverse(CHANGELIST), {"action": "export_coupons_csv", "_selected_action": [1]}, follow=True)
    assert response.get("Content-Disposition") is None
    assert not AuditLog.objects.filter(action="export.coupons").exists()


def _run_in_threads(functions: list[Callable[[], object]]) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(len(functions))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(function: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results.append(function())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_never_exceed_the_quota_or_give_a_shopper_two_per_grant(
    staff: User, make_template: Callable[..., CouponTemplate]
) -> None:
    template = make_template(total_quantity=5, per_user_limit=3)
    members = [MemberFactory.create() for _ in range(4)]
    rows = [GrantRow(line=i + 1, value=str(m.pk)) for i, m in enumerate(members)]

    _results, errors = _run_in_threads(
        [
            lambda ref=ref: coupon_grant_sheet(template_id=template.pk, rows=rows, ref=ref, actor=staff)  # type: ignore[misc]
            for ref in ["same", "same", "other-1", "other-2"]
        ]
    )

    assert errors == []
    template.refresh_from_db()
    assert template.issued_count == Coupon.objects.filter(template=template).count() == 5
    assert CouponGrant.objects.count() == 3
    for grant in CouponGrant.objects.all():
        members_of_grant = list(CouponGrantMember.objects.filter(grant=grant).values_list("member_id", flat=True))
        assert len(members_of_grant) == len(set(members_of_grant)) == grant.granted
    assert sum(g.granted for g in CouponGrant.objects.all()) == 5


def test_exported_coupons_say_state_and_order_and_round_trip_into_a_grant(
    admin_client: Client, admin_user: User, make_template: Callable[..., CouponTemplate], lipstick: Sku
) -> None:
    template = make_template(name="满减券")
    used_by, holder = MemberFactory.create(), MemberFactory.create()
    grant = coupon_grant_sheet(
        template_id=template.pk,
        rows=[GrantRow(1, str(used_by.pk)), GrantRow(2, str(holder.pk))],
        ref="g1",
        actor=admin_user,
    )
    assert grant.granted == 2
    used = Coupon.objects.get(member=used_by)
    order = place(used_by, [(lipstick, 1)], coupon_ids=[used.pk])

    with translation.override("zh-hans"):
        response = admin_client.post(
            reverse(CHANGELIST),
            {"action": "export_coupons_xlsx", "_selected_action": list(Coupon.objects.values_list("pk", flat=True))},
        )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:5] == ["优惠券 ID", "模板", "会员 ID", "会员昵称", "状态"]
    by_member = {r[2]: r for r in rows[1:]}
    assert by_member[used_by.pk][4] == "已使用" and by_member[used_by.pk][7] == order.no
    assert by_member[holder.pk][4] == "未使用" and by_member[holder.pk][7] in ("", None)
    assert AuditLog.objects.filter(action="export.coupons", actor=admin_user, data__rows=2).exists()

    # The exported sheet goes straight back in: grant another template to the same shoppers.
    other = make_template(name="回购券")
    upload = SimpleUploadedFile("coupons.xlsx", response.content)
    with translation.override("zh-hans"):
        admin_client.post(
            reverse("admin:marketing_coupontemplate_grant", args=[other.pk]),
            {"sheet": upload, "ref": "round-trip"},
        )
    assert set(other.coupons.values_list("member_id", flat=True)) == {used_by.pk, holder.pk}


def test_template_export_csv_in_yuan(admin_client: Client, make_template: Callable[..., CouponTemplate]) -> None:
    template = make_template(name="满100减20", threshold=10000, off=2000, total_quantity=50)

    with translation.override("zh-hans"):
        response = admin_client.post(
            reverse(TEMPLATES), {"action": "export_templates_csv", "_selected_action": [template.pk]}
        )

    text = response.content.decode("utf-8-sig")
    header, line = text.splitlines()[:2]
    assert header.startswith("模板 ID,名称,类型,优惠,使用门槛(元)")
    assert f"{template.pk},满100减20," in line
    assert ",100.00," in line and ",50,0,1,是" in line


def test_a_coupon_push_skips_shoppers_in_the_global_holdout(
    staff: User, make_template: Callable[..., CouponTemplate]
) -> None:
    from analytics.tests.uplift.global_helpers import global_holdout_on

    template = make_template()
    held, other = MemberFactory.create_batch(2)
    global_holdout_on([held], [other])
    rows = [GrantRow(line=1, value=str(held.pk)), GrantRow(line=2, value=str(other.pk))]

    grant = coupon_grant_sheet(template_id=template.pk, rows=rows, ref="form-h", actor=staff)

    assert [e["outcome"] for e in grant.report] == ["global_holdout", "granted"]
    assert not Coupon.objects.filter(member=held).exists() and Coupon.objects.filter(member=other).count() == 1
