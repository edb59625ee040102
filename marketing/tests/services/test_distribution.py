"""Distribution (F06): applications and review, attribution (window, last click), commission on what
was paid per line, settlement from the order's state over time, withdrawals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from analytics.models import Event
from mall.errors import PermissionDenied
from mall.models import AuditLog, Sku
from mall.money import allocate, apply_rate
from marketing.errors import (
    AttributionSelf,
    DistributionClosed,
    PromoterAlreadyApproved,
    PromoterApplicationInvalid,
    PromoterDisabled,
    PromoterNotApproved,
    PromoterNotFound,
    PromoterStatusInvalid,
    RulesInvalid,
    WithdrawalBelowMinimum,
    WithdrawalExceedsBalance,
    WithdrawalReviewInvalid,
    WithdrawalStatusInvalid,
)
from marketing.models import (
    Attribution,
    Commission,
    CommissionStatus,
    CouponTemplate,
    Promoter,
    PromoterStatus,
    Promotion,
    WithdrawalStatus,
)
from marketing.selectors.distribution import promoter_earnings, promoter_withdrawable
from marketing.services.coupons import coupon_claim
from marketing.services.distribution import (
    attribution_click,
    commission_unit_split,
    commissions_release_due,
    commissions_settle,
    product_commission_set,
    promoter_apply,
    promoter_approve,
    promoter_disable,
    promoter_enable,
    promoter_reject,
    withdrawal_pay,
    withdrawal_reject,
    withdrawal_request,
)
from marketing.tests.conftest import complete, grant_points, make_promoter, pay, place
from members.models import Member, Message
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.models import Order, Refund
from orders.payments.sandbox import SandboxProvider
from orders.services.orders import order_cancel
from orders.services.refunds import refund_create, refund_mark_failed

pytestmark = pytest.mark.django_db

S = CommissionStatus


@pytest.fixture
def promoter(distribution: Callable, staff: User) -> Promoter:
    return make_promoter(MemberFactory.create(nickname="推广员小李"), staff)


@pytest.fixture
def buyer(db: object) -> Member:
    return MemberFactory.create(nickname="买家")


def _rows(order: Order) -> dict[int, Commission]:
    return {row.sku_id: row for row in Commission.objects.filter(order=order)}


def _finance() -> User:
    user = User.objects.create_user(username="caiwu", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="pay_withdrawal"))
    return User.objects.get(pk=user.pk)


# --- applications and review -----------------------------------------------------------------------


def test_an_application_is_reviewed_audited_and_can_be_resubmitted(distribution: Callable, staff: User) -> None:
    shopper = MemberFactory.create()
    with pytest.raises(PromoterApplicationInvalid) as exc:
        promoter_apply(member=shopper, real_name="李", phone="13900139000")
    assert exc.value.details["field"] == "real_name"
    with pytest.raises(PromoterApplicationInvalid) as exc:
        promoter_apply(member=shopper, real_name="李四", phone="12345")
    assert exc.value.details["field"] == "phone"

    applied = promoter_apply(member=shopper, real_name=" 李四 ", phone="+86 139-0013-9000", reason="宝妈群")
    assert (applied.status, applied.real_name, applied.phone) == (PromoterStatus.APPLIED, "李四", "13900139000")
    with pytest.raises(PromoterApplicationInvalid):
        promoter_reject(actor=staff, promoter_id=applied.pk, note=" ")
    rejected = promoter_reject(actor=staff, promoter_id=applied.pk, note="资料不全")
    assert (rejected.status, rejected.review_note, rejected.reviewed_by) == (PromoterStatus.REJECTED, "资料不全", staff)
    with pytest.raises(PromoterStatusInvalid):
        promoter_approve(actor=staff, promoter_id=applied.pk)

    again = promoter_apply(member=shopper, real_name="李四", phone="13900139000", reason="补充资料")
    assert (again.pk, again.status, again.review_note) == (applied.pk, PromoterStatus.APPLIED, "")
    approved = promoter_approve(actor=staff, promoter_id=again.pk)
    assert approved.status == PromoterStatus.APPROVED and approved.approved_at is not None
    with pytest.raises(PromoterAlreadyApproved):
        promoter_apply(member=shopper, real_name="李四", phone="13900139000")

    actions = list(AuditLog.objects.filter(target_type="marketing.promoter").values_list("action", flat=True))
    assert sorted(actions) == ["promoter.approve", "promoter.reject"]
    names = set(Event.objects.filter(member=shopper).values_list("name", flat=True))
    assert {"promoter_applied", "promoter_rejected", "promoter_approved"} <= names
    told = list(Message.objects.filter(member=shopper).order_by("pk").values_list("kind", "title", "body"))
    assert [(kind, title) for kind, title, _body in told] == [
        ("promoter_rejected", "推广员申请未通过"),
        ("promoter_approved", "推广员申请已通过"),
    ]
    assert "资料不全" in told[0][2] and approved.code in told[1][2]


def test_a_disabled_promoter_attributes_nothing_until_enabled(
    promoter: Promoter, buyer: Member, staff: User, lipstick: Sku, shop: object
) -> None:
    attribution_click(member=buyer, code=promoter.code)
    promoter_disable(actor=staff, promoter_id=promoter.pk, note="刷单")
    with pytest.raises(PromoterDisabled):
        promoter_apply(member=promoter.member, real_name="李推广", phone="13900139000")
    with pytest.raises(PromoterNotFound):
        attribution_click(member=buyer, code=promoter.code)
    assert not _rows(place(buyer, [(lipstick, 1)]))
    promoter_enable(actor=staff, promoter_id=promoter.pk)
    assert _rows(place(buyer, [(lipstick, 1)]))


def test_applications_need_the_programme_on(distribution: Callable, member: Member) -> None:
    distribution(is_active=False)
    with pytest.raises(DistributionClosed):
        promoter_apply(member=member, real_name="李四", phone="13900139000")


# --- attribution ------------------------------------------------------------------------------------


def test_clicks_refuse_unknown_and_own_codes_and_count_repeats(
    promoter: Promoter, buyer: Member, lipstick: Sku
) -> None:
    with pytest.raises(PromoterNotFound):
        attribution_click(member=buyer, code="PNOSUCH")
    with pytest.raises(AttributionSelf):
        attribution_click(member=promoter.member, code=promoter.code)
    first = attribution_click(member=buyer, code=promoter.code.lower(), product_id=lipstick.product_id)
    assert first.expires_at == first.attribution.last_clicked_at + timedelta(days=7)
    again = attribution_click(member=buyer, code=promoter.code, product_id=999_999)
    row = Attribution.objects.get()
    assert (row.pk, row.clicks, row.product_id) == (first.attribution.pk, 2, lipstick.product_id)
    assert again.attribution.last_clicked_at >= first.attribution.first_clicked_at
    assert Event.objects.filter(name="attribution_clicked", member=buyer).count() == 2


def test_the_last_click_within_the_window_wins(
    promoter: Promoter, buyer: Member, staff: User, lipstick: Sku, shop: object
) -> None:
    other = make_promoter(MemberFactory.create(), staff)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attribution_click(member=buyer, code=promoter.code)
    with time_machine.travel(start + timedelta(days=1), tick=False):
        attribution_click(member=buyer, code=other.code)
    with time_machine.travel(start + timedelta(days=2), tick=False):
        order = place(buyer, [(lipstick, 1)])
        assert {row.promoter_id for row in _rows(order).values()} == {other.pk}
        attribution_click(member=buyer, code=promoter.code)  # back to the first promoter
        assert {row.promoter_id for row in _rows(place(buyer, [(lipstick, 1)])).values()} == {promoter.pk}
    # 7 days after that last click the window has closed; the earlier click of ``other`` too.
    with time_machine.travel(start + timedelta(days=9, seconds=1), tick=False):
        assert not _rows(place(buyer, [(lipstick, 1)]))


def test_the_window_is_the_programmes(
    distribution: Callable, promoter: Promoter, buyer: Member, lipstick: Sku, shop: object
) -> None:
    distribution(attribution_days=1)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attribution_click(member=buyer, code=promoter.code)
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        assert _rows(place(buyer, [(lipstick, 1)]))
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        assert not _rows(place(buyer, [(lipstick, 1)]))


def test_a_promoter_earns_nothing_on_their_own_orders(
    promoter: Promoter, staff: User, lipstick: Sku, shop: object
) -> None:
    other = make_promoter(MemberFactory.create(), staff)
    attribution_click(member=other.member, code=promoter.code)
    attribution_click(member=promoter.member, code=other.code)
    rows = _rows(place(promoter.member, [(lipstick, 1)]))
    assert {row.promoter_id for row in rows.values()} == {other.pk}  # the other's link, not their own


# --- commission: amounts ------------------------------------------------------------------------------


def test_commission_is_on_what_each_line_paid_after_every_discount(
    promoter: Promoter,
    buyer: Member,
    staff: User,
    lipstick: Sku,
    cookie: Sku,
    make_promotion: Callable[..., Promotion],
    make_template: Callable[..., CouponTemplate],
    shop: object,
) -> None:
    make_promotion()  # 满100减15
    coupon = coupon_claim(context=SHOPPER_CONTEXT, member=buyer, template_id=make_template(name="立减20", off=2000).pk)
    grant_points(buyer, 1000)
    product_commission_set(actor=staff, product_id=lipstick.product_id, rate=Decimal("0.08"))
    attribution_click(member=buyer, code=promoter.code)

    order = place(buyer, [(lipstick, 3), (cookie, 1)], coupon_ids=[coupon.pk], points=500)

    lines = {line.sku_id: line for line in order.lines.all()}
    # 330.00 − 15.00 满减 − 20.00 coupon − 5.00 points = 290.00, spread by largest remainder.
    assert (lines[lipstick.pk].paid_amount, lines[cookie.pk].paid_amount) == (26363, 2637)
    assert order.payable_amount == 29000  # free shipping over 99: nothing for shipping either way
    rows = _rows(order)
    lip, snack = rows[lipstick.pk], rows[cookie.pk]
    assert (lip.base_amount, lip.rate, lip.amount, lip.qty) == (26363, Decimal("0.080"), 2109, 3)  # 2109.04
    assert (snack.base_amount, snack.rate, snack.amount) == (2637, Decimal("0.100"), 264)  # 263.7 → 264
    assert all(row.status == S.PENDING and row.held_amount == row.amount for row in rows.values())
    assert lip.line_id is None  # the lines did not exist yet when it was taken
    assert lip.title == lipstick.product.title
    event = Event.objects.get(name="commission_created")
    assert (event.member_id, event.props["amount"]) == (promoter.member_id, 2109 + 264)

    pay(order)
    assert Commission.objects.get(pk=lip.pk).line_id == lines[lipstick.pk].pk


@pytest.mark.parametrize(
    ("paid", "rate", "commission"),
    [(2995, "0.1", 300), (2994, "0.1", 299), (2990, "0.15", 449), (1, "0.05", 0), (10, "0.05", 1)],
)
def test_rounding_is_half_up_per_line_in_whole_fen(paid: int, rate: str, commission: int) -> None:
    assert apply_rate(paid, Decimal(rate)) == commission


def test_shipping_and_gifts_pay_no_commission(
    promoter: Promoter, buyer: Member, make_sku: Callable[..., Sku], cookie: Sku, shop: object
) -> None:
    cheap = make_sku("CHEAP", 2995, cookie.product.category)
    attribution_click(member=buyer, code=promoter.code)
    order = place(buyer, [(cheap, 1)])
    assert order.shipping_fee == 800
    assert [(row.base_amount, row.amount) for row in _rows(order).values()] == [(2995, 300)]


def test_product_rates_stay_inside_the_programmes_range(distribution: Callable, staff: User, lipstick: Sku) -> None:
    with pytest.raises(RulesInvalid):
        product_commission_set(actor=staff, product_id=lipstick.product_id, rate=Decimal("0.2"))
    product_commission_set(actor=staff, product_id=lipstick.product_id, rate=Decimal("0.15"))
    assert product_commission_set(actor=staff, product_id=lipstick.product_id, rate=None) is None
    audit = AuditLog.objects.filter(action="product_commission.set").order_by("pk")
    assert [(a.data["before"], a.data["after"]) for a in audit] == [(None, "0.150"), ("0.150", None)]


# --- commission: states over time ------------------------------------------------------------------


def test_commission_is_frozen_when_paid_and_available_only_after_the_window(
    promoter: Promoter, buyer: Member, staff: User, lipstick: Sku, shop: object
) -> None:
    attribution_click(member=buyer, code=promoter.code)
    order = place(buyer, [(lipstick, 1)])
    row = _rows(order)[lipstick.pk]
    assert (row.status, row.amount) == (S.PENDING, 1000)
    pay(order)
    assert Commission.objects.get(pk=row.pk).status == S.FROZEN
    completed = complete(order, staff)
    row = Commission.objects.get(pk=row.pk)
    assert row.status == S.FROZEN
    assert completed.completed_at is not None
    assert row.available_at == completed.completed_at + timedelta(days=7)
    assert promoter_earnings(promoter_id=promoter.pk).frozen == 1000

    with time_machine.travel(row.available_at - timedelta(seconds=1), tick=False):
        assert commissions_release_due() == 0
    assert Commission.objects.get(pk=row.pk).status == S.FROZEN
    with time_machine.travel(row.available_at, tick=False):
        assert commissions_release_due() == 1
        assert commissions_release_due() == 0  # idempotent
    assert Commission.objects.get(pk=row.pk).status == S.AVAILABLE
    earnings = promoter_earnings(promoter_id=promoter.pk)
    assert (earnings.frozen, earnings.available) == (0, 1000)
    settled = Event.objects.filter(name="commission_settled").order_by("pk")
    assert [(e.props["from"], e.props["to"]) for e in settled] == [("pending", "frozen"), ("frozen", "available")]


def test_cancelling_an_unpaid_order_reverses_its_commission(
    promoter: Promoter, buyer: Member, lipstick: Sku, shop: object
) -> None:
    attribution_click(member=buyer, code=promoter.code)
    order = place(buyer, [(lipstick, 1)])
    assert order_cancel(order_id=order.pk, reason="shopper")
    row = _rows(order)[lipstick.pk]
    assert (row.status, row.held_amount) == (S.REVERSED, 0)
    assert promoter_earnings(promoter_id=promoter.pk).reversed == 1000


def test_a_partial_refund_reduces_commission_exactly_and_a_failed_one_restores_it(
    promoter: Promoter,
    buyer: Member,
    staff: User,
    make_sku: Callable[..., Sku],
    cookie: Sku,
    shop: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    odd = make_sku("ODD3", 3333, cookie.product.category)
    attribution_click(member=buyer, code=promoter.code)
    order = complete(place(buyer, [(odd, 3)]), staff)  # 99.99 paid, commission 10% = 999.9 → 1000
    row = _rows(order)[odd.pk]
    assert (row.base_amount, row.amount) == (9999, 1000)
    units = commission_unit_split(amount=1000, base_amount=9999, qty=3)
    assert units == allocate(1000, allocate(9999, [1, 1, 1])) == [334, 333, 333]
    line = order.lines.get()

    monkeypatch.setattr(SandboxProvider, "refunds_immediately", False)
    refund = refund_create(order_id=order.pk, lines=[(line.pk, 1)], reason="退一件", actor=staff)
    assert refund.status == Refund.Status.PROCESSING
    row = Commission.objects.get(pk=row.pk)
    assert (row.status, row.held_amount) == (S.FROZEN, 666)  # the refunded unit's 334 went back
    assert refund_mark_failed(refund_id=refund.pk, provider_status="ABNORMAL")
    assert Commission.objects.get(pk=row.pk).held_amount == 1000

    monkeypatch.setattr(SandboxProvider, "refunds_immediately", True)
    refund_create(order_id=order.pk, lines=[(line.pk, 2)], reason="退两件", actor=staff)
    row = Commission.objects.get(pk=row.pk)
    assert (row.status, row.held_amount) == (S.FROZEN, 333)
    refund_create(order_id=order.pk, lines=None, reason="全退", actor=staff)
    row = Commission.objects.get(pk=row.pk)
    assert (row.status, row.held_amount) == (S.REVERSED, 0)
    assert promoter_earnings(promoter_id=promoter.pk).reversed == 1000


def test_a_refund_after_the_window_takes_back_available_commission(
    promoter: Promoter, buyer: Member, staff: User, lipstick: Sku, shop: object
) -> None:
    attribution_click(member=buyer, code=promoter.code)
    order = complete(place(buyer, [(lipstick, 2)]), staff)
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        commissions_release_due()
        assert promoter_withdrawable(promoter_id=promoter.pk) == 2000
        line = order.lines.get()
        refund_create(order_id=order.pk, lines=[(line.pk, 1)], reason="质量问题", actor=staff)
    row = _rows(order)[lipstick.pk]
    assert (row.status, row.held_amount) == (S.AVAILABLE, 1000)
    assert promoter_withdrawable(promoter_id=promoter.pk) == 1000


def test_settling_twice_changes_nothing(
    promoter: Promoter, buyer: Member, staff: User, lipstick: Sku, shop: object
) -> None:
    attribution_click(member=buyer, code=promoter.code)
    order = complete(place(buyer, [(lipstick, 1)]), staff)
    assert commissions_settle(order_id=order.pk) == 0
    assert Event.objects.filter(name="commission_settled").count() == 1  # pending → frozen only


# --- withdrawals ---------------------------------------------------------------------------------------


@pytest.fixture
def earned(promoter: Promoter, buyer: Member, staff: User, lipstick: Sku, shop: object) -> Promoter:
    """A promoter with 30.00 yuan available (three 100-yuan lipsticks at 10%)."""
    attribution_click(member=buyer, code=promoter.code)
    complete(place(buyer, [(lipstick, 3)]), staff)
    with time_machine.travel(timezone.now() + timedelta(days=8), tick=False):
        commissions_release_due()
    return promoter


def test_withdrawals_are_bounded_by_the_minimum_and_the_balance(earned: Promoter, member: Member) -> None:
    with pytest.raises(PromoterNotApproved):
        withdrawal_request(member=member, amount=1000)
    with pytest.raises(WithdrawalBelowMinimum):
        withdrawal_request(member=earned.member, amount=999)
    with pytest.raises(WithdrawalExceedsBalance) as exc:
        withdrawal_request(member=earned.member, amount=3001)
    assert exc.value.details == {"available": 3000, "requested": 3001}
    first = withdrawal_request(member=earned.member, amount=2000, request_key="k1")
    assert withdrawal_request(member=earned.member, amount=2000, request_key="k1").pk == first.pk  # retried
    with pytest.raises(WithdrawalExceedsBalance):
        withdrawal_request(member=earned.member, amount=2000)
    earnings = promoter_earnings(promoter_id=earned.pk)
    assert (earnings.available, earnings.withdrawing, earnings.withdrawn) == (1000, 2000, 0)


def test_finance_pays_or_rejects_and_only_finance_may(earned: Promoter, staff: User) -> None:
    operator = User.objects.create_user(username="yunying2", password="x", is_staff=True)
    finance = _finance()
    first = withdrawal_request(member=earned.member, amount=2000)
    with pytest.raises(PermissionDenied):
        withdrawal_pay(actor=operator, withdrawal_id=first.pk, payout_reference="BANK-1")
    with pytest.raises(WithdrawalReviewInvalid):
        withdrawal_pay(actor=finance, withdrawal_id=first.pk, payout_reference="  ")
    paid = withdrawal_pay(actor=finance, withdrawal_id=first.pk, payout_reference="BANK-20240601-1")
    assert (paid.status, paid.payout_reference, paid.reviewed_by) == (WithdrawalStatus.PAID, "BANK-20240601-1", finance)
    with pytest.raises(WithdrawalStatusInvalid):
        withdrawal_reject(actor=finance, withdrawal_id=first.pk, note="重复")

    second = withdrawal_request(member=earned.member, amount=1000)
    assert promoter_withdrawable(promoter_id=earned.pk) == 0
    withdrawal_reject(actor=finance, withdrawal_id=second.pk, note="实名信息不符")
    assert promoter_withdrawable(promoter_id=earned.pk) == 1000  # the rejected amount is back
    earnings = promoter_earnings(promoter_id=earned.pk)
    assert (earnings.available, earnings.withdrawing, earnings.withdrawn, earnings.total) == (1000, 0, 2000, 3000)
    actions = list(AuditLog.objects.filter(target_type="marketing.withdrawal").values_list("action", "actor"))
    assert sorted(actions) == [("withdrawal.pay", finance.pk), ("withdrawal.reject", finance.pk)]
    names = list(Event.objects.filter(name__startswith="withdrawal_").order_by("pk").values_list("name", flat=True))
    assert names == ["withdrawal_requested", "withdrawal_paid", "withdrawal_requested", "withdrawal_rejected"]
    told = list(Message.objects.filter(member=earned.member, kind__startswith="withdrawal_").order_by("pk"))
    assert [(m.kind, m.body) for m in told] == [
        ("withdrawal_paid", "20.00 元已打款，凭证号 BANK-20240601-1。"),
        ("withdrawal_rejected", "10.00 元的提现未通过，原因：实名信息不符。金额已退回可提现佣金。"),
    ]
