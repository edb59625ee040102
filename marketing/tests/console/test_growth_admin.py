"""Console pages of invite rewards (F04) and distribution (F06): settings through services (audited),
promoter reviews for operators, payouts for finance only, outcome counts and the 裂变数据 page."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mall.models import AuditLog, Sku
from mall.money import format_yuan
from mall.services.staff import staff_create
from marketing.models import (
    Commission,
    CouponTemplate,
    DistributionProgram,
    InviteProgram,
    ProductCommission,
    Promoter,
    PromoterStatus,
    Withdrawal,
    WithdrawalStatus,
)
from marketing.services.distribution import (
    attribution_click,
    commissions_release_due,
    promoter_apply,
    withdrawal_request,
)
from marketing.tests.conftest import complete, make_promoter, place, signup
from members.models import Message
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def role(staff: User) -> Callable[[str], Client]:
    """``role("operator")`` → a console client signed in as a new staff user of that role."""

    def make(name: str) -> Client:
        user = staff_create(username=f"{name}-user", password="pass-123-xyz", role=name, actor=staff)
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def owner_client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _dialog(client: Client, name: str, pk: int, **fields: str) -> Any:
    return client.post(reverse(f"admin:marketing_{name}", args=[pk]), {**fields, "_form_submitted": "on"})


# --- settings ---------------------------------------------------------------------------------------


def test_the_invite_programme_is_one_form_saved_through_the_service(
    invite_program: Callable, reward_template: CouponTemplate, role: Callable[[str], Client]
) -> None:
    operator = role("operator")
    response = operator.get(reverse("admin:marketing_inviteprogram_changelist"))
    assert response.status_code == 302
    page = operator.get(response.headers["Location"]).content.decode()
    assert "好友订单返积分比例(%)" in page and "邀请人数" in page

    url = reverse("admin:marketing_inviteprogram_change", args=[1])
    post = {
        "is_active": "on",
        "threshold": "5",
        "reward_template": str(reward_template.pk),
        "reward_limit": "2",
        "points_percent": "abc",
    }
    refused = operator.post(url, post)
    assert refused.status_code == 200
    assert "请填写百分比数字" in refused.content.decode()
    operator.post(url, {**post, "points_percent": "5"})
    program = InviteProgram.objects.get()
    assert (program.threshold, program.reward_limit, program.points_rate) == (5, 2, Decimal("0.050"))
    audit = AuditLog.objects.filter(action="invite_program.update").latest("pk")
    assert audit.actor is not None and audit.actor.username == "operator-user"


def test_the_invite_programme_refuses_a_claimable_coupon(
    invite_program: Callable, make_template: Callable[..., CouponTemplate], owner_client: Client
) -> None:
    claimable = make_template(name="领券中心券")
    url = reverse("admin:marketing_inviteprogram_change", args=[1])
    response = owner_client.post(
        url,
        {
            "is_active": "on",
            "threshold": "3",
            "reward_template": str(claimable.pk),
            "reward_limit": "1",
            "points_percent": "10",
        },
    )
    assert response.status_code == 200  # the picker only offers 活动发放 coupons
    assert InviteProgram.objects.get().reward_template_id != claimable.pk


def test_distribution_settings_in_percent_and_yuan(distribution: Callable, owner_client: Client) -> None:
    url = reverse("admin:marketing_distributionprogram_change", args=[1])
    post = {
        "is_active": "on",
        "default_percent": "20",
        "min_percent": "5",
        "max_percent": "15",
        "attribution_days": "10",
        "settle_days": "15",
        "min_withdrawal_yuan": "50.00",
    }
    refused = owner_client.post(url, post)
    assert "默认佣金比例须在最低和最高佣金比例之间" in refused.content.decode()
    owner_client.post(url, {**post, "default_percent": "12.5"})
    program = DistributionProgram.objects.get()
    assert (program.default_rate, program.attribution_days, program.settle_days, program.min_withdrawal) == (
        Decimal("0.125"),
        10,
        15,
        5000,
    )
    assert AuditLog.objects.filter(action="distribution_program.update").exists()


def test_product_rates_are_set_within_the_range(distribution: Callable, owner_client: Client, lipstick: Sku) -> None:
    add = reverse("admin:marketing_productcommission_add")
    refused = owner_client.post(add, {"product": str(lipstick.product_id), "percent": "20"})
    assert "佣金比例须在 5.0% 到 15.0% 之间" in refused.content.decode()
    owner_client.post(add, {"product": str(lipstick.product_id), "percent": "8"})
    row = ProductCommission.objects.get()
    assert row.rate == Decimal("0.080")
    owner_client.post(reverse("admin:marketing_productcommission_delete", args=[row.pk]), {"post": "yes"})
    assert not ProductCommission.objects.exists()
    assert [a.data["after"] for a in AuditLog.objects.filter(action="product_commission.set").order_by("pk")] == [
        "0.080",
        None,
    ]


# --- promoters ---------------------------------------------------------------------------------------


def test_operators_review_applications_in_a_dialog(distribution: Callable, role: Callable[[str], Client]) -> None:
    operator = role("operator")
    shopper = MemberFactory.create(nickname="小张")
    applied = promoter_apply(member=shopper, real_name="张三", phone="13900139000", reason="社群")

    page = operator.get(reverse("admin:marketing_promoter_change", args=[applied.pk])).content.decode()
    assert reverse("admin:marketing_promoter_approve", args=[applied.pk]) in page
    response = _dialog(operator, "promoter_reject", applied.pk, note="")
    assert response.headers["HX-Redirect"] == reverse("admin:marketing_promoter_change", args=[applied.pk])
    assert Promoter.objects.get().status == PromoterStatus.APPLIED  # a rejection needs a reason
    _dialog(operator, "promoter_approve", applied.pk, note="欢迎")
    promoter = Promoter.objects.get()
    assert (promoter.status, promoter.reviewed_by.username) == (PromoterStatus.APPROVED, "operator-user")  # type: ignore[union-attr]
    assert Message.objects.get(member=shopper).kind == "promoter_approved"
    _dialog(operator, "promoter_disable", applied.pk, note="违规推广")
    assert Promoter.objects.get().status == PromoterStatus.DISABLED


def test_finance_cannot_review_promoters(distribution: Callable, role: Callable[[str], Client]) -> None:
    applied = promoter_apply(member=MemberFactory.create(), real_name="张三", phone="13900139000")
    finance = role("finance")
    assert finance.get(reverse("admin:marketing_promoter_change", args=[applied.pk])).status_code == 200
    response = _dialog(finance, "promoter_approve", applied.pk, note="")
    assert response.status_code == 403
    assert Promoter.objects.get().status == PromoterStatus.APPLIED


def test_bulk_approval_from_the_list(distribution: Callable, owner_client: Client) -> None:
    for i in range(3):
        promoter_apply(member=MemberFactory.create(), real_name=f"张三{i}", phone="13900139000")
    owner_client.post(
        reverse("admin:marketing_promoter_changelist"),
        {"action": "approve_selected", "_selected_action": [str(p.pk) for p in Promoter.objects.all()]},
    )
    assert set(Promoter.objects.values_list("status", flat=True)) == {PromoterStatus.APPROVED}


@pytest.fixture
def earning(distribution: Callable, staff: User, lipstick: Sku, shop: object) -> Promoter:
    """A promoter with 20.00 yuan available and 10.00 frozen."""
    promoter = make_promoter(MemberFactory.create(nickname="推广员"), staff)
    buyer = MemberFactory.create()
    attribution_click(member=buyer, code=promoter.code)
    complete(place(buyer, [(lipstick, 2)]), staff)
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        commissions_release_due()
    complete(place(buyer, [(lipstick, 1)]), staff)
    return promoter


def test_promoter_list_shows_earnings_and_outcome_counts(
    earning: Promoter, owner_client: Client, staff: User, django_assert_max_num_queries: Any
) -> None:
    withdrawal_request(member=earning.member, amount=1500)
    for _ in range(5):  # more rows, the same queries
        make_promoter(MemberFactory.create(), staff)
    with django_assert_max_num_queries(9):
        page = owner_client.get(reverse("admin:marketing_promoter_changelist")).content.decode()
    assert 'data-testid="growth-totals"' in page
    assert "¥10.00" in page and "¥20.00" in page  # frozen, available
    assert "5.00" in page  # available after the 15.00 asked for
    commissions = owner_client.get(reverse("admin:marketing_commission_changelist")).content.decode()
    assert "10%" in commissions and "20.00" in commissions
    commission = Commission.objects.order_by("pk").first()
    assert commission is not None
    detail = owner_client.get(reverse("admin:marketing_commission_change", args=[commission.pk])).content.decode()
    assert f"¥{format_yuan(commission.amount)}" in detail and "(分)" not in detail


def test_finance_pays_a_withdrawal_with_a_reference_and_operators_cannot(
    earning: Promoter, role: Callable[[str], Client]
) -> None:
    withdrawal = withdrawal_request(member=earning.member, amount=1000)
    operator, finance = role("operator"), role("finance")
    assert _dialog(operator, "withdrawal_pay", withdrawal.pk, payout_reference="X").status_code == 403
    page = finance.get(reverse("admin:marketing_withdrawal_change", args=[withdrawal.pk])).content.decode()
    assert reverse("admin:marketing_withdrawal_pay", args=[withdrawal.pk]) in page
    _dialog(finance, "withdrawal_pay", withdrawal.pk, payout_reference="WX-2024-0001", note="微信转账")
    paid = Withdrawal.objects.get()
    assert (paid.status, paid.payout_reference, paid.reviewed_by.username) == (  # type: ignore[union-attr]
        WithdrawalStatus.PAID,
        "WX-2024-0001",
        "finance-user",
    )
    assert AuditLog.objects.get(action="withdrawal.pay").actor.username == "finance-user"  # type: ignore[union-attr]
    second = withdrawal_request(member=earning.member, amount=1000)
    _dialog(finance, "withdrawal_reject", second.pk, note="信息不符")
    assert Withdrawal.objects.get(pk=second.pk).status == WithdrawalStatus.REJECTED


# --- invites and the stats page ---------------------------------------------------------------------------


def test_invite_lists_show_the_outcome_counts(invite_program: Callable, owner_client: Client) -> None:
    inviter = MemberFactory.create(nickname="邀请达人")
    for _ in range(4):
        signup(inviter.invite_code)
    page = owner_client.get(reverse("admin:marketing_invite_changelist")).content.decode()
    assert 'data-testid="total-bound">4<' in page
    assert 'data-testid="total-rewards">1<' in page
    assert "第 1 次" in page
    assert owner_client.get(reverse("admin:marketing_invitereward_changelist")).status_code == 200


def test_the_growth_page_shows_both_halves_to_operators_and_distribution_to_finance(
    invite_program: Callable, earning: Promoter, role: Callable[[str], Client], django_assert_max_num_queries: Any
) -> None:
    inviter = MemberFactory.create()
    for _ in range(3):
        signup(inviter.invite_code)
    operator = role("operator")
    url = reverse("console:marketing_growth_stats")
    with django_assert_max_num_queries(14):
        response = operator.get(url)
    page = response.content.decode()
    assert 'data-testid="kpi-invites_bound">3<' in page
    assert 'data-testid="kpi-invites_rewarded">1<' in page
    assert 'data-testid="kpi-commission_available">¥20.00<' in page
    assert 'data-testid="kpi-commission_frozen">¥10.00<' in page
    bar = json.loads(response.context["invites"]["chart"])
    assert len(bar["labels"]) == 30 and bar["datasets"][0]["data"][-1] == 3
    line = json.loads(response.context["distribution"]["chart"])
    assert line["datasets"][0]["data"][-1] == 30.0
    finance_page = role("finance").get(url)
    assert finance_page.context["invites"] is None and finance_page.context["distribution"] is not None
    assert role("customer_service").get(url).status_code == 403
