"""``manage.py seed_demo``: every marketing tool has history on real orders, its counters match its
rows, and the console's figures (裂变数据, coupons' 已发放) are non-zero and add up."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mall.console.display import yuan
from mall.money import apply_rate
from mall.redis import get_redis
from marketing.models import (
    Bargain,
    BargainCampaign,
    BargainStatus,
    Commission,
    CommissionStatus,
    Coupon,
    CouponStatus,
    CouponTemplate,
    DistributionProgram,
    FlashItem,
    FlashPurchase,
    GroupBuyGroup,
    GroupMemberStatus,
    GroupStatus,
    Invite,
    InviteOrder,
    InviteReward,
    Journey,
    JourneyProductCoupon,
    Promoter,
    WheelPrize,
    Withdrawal,
    WithdrawalStatus,
)
from marketing.selectors.distribution import distribution_totals, promoter_withdrawable
from marketing.selectors.invites import invite_stats
from marketing.services.distribution import commission_target
from marketing.services.flash_gate import gate_keys
from orders.models import Order, OrderLine, OrderStatus, Payment, Refund

pytestmark = pytest.mark.django_db

PAID = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED)


@pytest.fixture
def seeded() -> None:
    call_command("seed_demo", "--shoppers", "20", "--days", "10", stdout=StringIO())


@pytest.mark.usefixtures("seeded")
def test_groups_formed_failed_and_open_on_their_seats_orders() -> None:
    groups = list(GroupBuyGroup.objects.prefetch_related("members__order__lines"))
    outcomes = {g.status for g in groups}
    assert {GroupStatus.COMPLETED, GroupStatus.FAILED, GroupStatus.OPEN} <= outcomes
    for group in groups:
        seats = list(group.members.all())
        assert group.seats_taken == len(seats)
        assert sum(1 for s in seats if s.paid_at is not None) == group.paid_count
        assert sum(1 for s in seats if s.is_leader) == 1
        price = group.campaign.items.get(sku_id=seats[0].order.lines.get().sku_id).price
        for seat in seats:
            order = seat.order
            assert (order.deal_kind, order.deal_ref, order.member_id) == ("group", group.pk, seat.member_id)
            assert order.lines.get().unit_price == price
            if group.status == GroupStatus.FAILED:
                # 未成团: every paid seat refunded in full, by a refund row on its order.
                assert seat.status == GroupMemberStatus.REFUNDED and seat.refund is not None
                assert seat.refund.order_id == order.pk and seat.refund.amount == order.payable_amount
                assert order.status == OrderStatus.REFUNDED and order.refunded_amount == order.payable_amount
            else:
                assert seat.status == GroupMemberStatus.PAID and order.status in PAID
        if group.status == GroupStatus.COMPLETED:
            assert group.paid_count == group.size and group.completed_at is not None
        if group.status == GroupStatus.OPEN:
            assert group.paid_count < group.size
            assert group.expires_at is not None and group.expires_at > timezone.now()


@pytest.mark.usefixtures("seeded")
def test_bargains_prices_follow_their_helps_and_the_campaign_counts_what_was_bought() -> None:
    bargains = list(Bargain.objects.prefetch_related("helps"))
    statuses = {b.status for b in bargains}
    assert {BargainStatus.BOUGHT, BargainStatus.ONGOING, BargainStatus.EXPIRED} <= statuses
    for bargain in bargains:
        helps = list(bargain.helps.all())
        assert 0 < len(helps) == bargain.helps_count < len(bargain.plan)  # helped part way
        assert [h.cut for h in helps] == bargain.plan[: len(helps)]
        assert bargain.current_price == bargain.start_price - sum(h.cut for h in helps) == helps[-1].price_after
        assert bargain.member_id not in {h.helper_id for h in helps}
        if bargain.status == BargainStatus.BOUGHT:
            assert bargain.order is not None and bargain.order.status in PAID
            assert (bargain.order.deal_kind, bargain.order.deal_ref) == ("bargain", bargain.pk)
            assert bargain.order.payable_amount == bargain.current_price == bargain.order.lines.get().unit_price
        elif bargain.status == BargainStatus.EXPIRED:
            assert bargain.order is None and bargain.expires_at < timezone.now()
        else:
            assert bargain.order is None and bargain.expires_at > timezone.now()
    for campaign in BargainCampaign.objects.all():
        assert campaign.sold_count == campaign.bargains.filter(status=BargainStatus.BOUGHT).count()
    assert sum(c.sold_count for c in BargainCampaign.objects.all()) >= 2


@pytest.mark.usefixtures("seeded")
def test_coupons_issued_and_used_match_their_rows_and_orders() -> None:
    templates = list(CouponTemplate.objects.all())
    # claim centre, new-user pack, invite reward …; a lifecycle journey's coupon is given only when
    # its occasion comes (none may have in a 10-day history) and a 复购 pattern only through its
    # per-product copies, so those may keep 0 of their own
    journeys = set(Journey.objects.exclude(coupon_template=None).values_list("coupon_template_id", flat=True))
    patterns = set(JourneyProductCoupon.objects.values_list("pattern_id", flat=True))
    # a wheel prize's coupon is issued only when the draw lands on it, which a small demo may not
    prizes = set(WheelPrize.objects.exclude(coupon_template=None).values_list("coupon_template_id", flat=True))
    # a draft campaign's coupons (the 年货节 made from its template) stay switched off until it is published
    drafts = {t.pk for t in templates if not t.is_active}
    left_out = journeys | patterns | prizes | drafts
    assert [t.name for t in templates if t.pk not in left_out and t.issued_count == 0] == []
    for template in templates:
        assert template.issued_count == template.coupons.count()
        assert template.total_quantity is None or template.issued_count <= template.total_quantity
    used = list(Coupon.objects.filter(status=CouponStatus.USED).select_related("order", "template"))
    assert len(used) >= 5
    assert Coupon.objects.filter(status=CouponStatus.UNUSED).exists()
    for coupon in used:
        order = coupon.order
        assert order is not None and order.member_id == coupon.member_id
        assert coupon.used_at is not None and coupon.valid_from <= coupon.used_at < coupon.valid_until
        # in the engine's shape since the demo's attribution (mall.demo.attribution) names the coupon
        used_entry = {
            "rule_id": f"coupon:{coupon.pk}",
            "rule_type": "amount_off",
            "name": coupon.template.name,
            "amount": coupon.template.off,
            "level": "order",
        }
        assert used_entry in order.pricing["applied"]
        assert order.goods_amount >= coupon.template.threshold
        assert order.discount_amount == sum(a["amount"] for a in order.pricing["applied"])
    for coupon in Coupon.objects.filter(status=CouponStatus.EXPIRED):
        assert coupon.valid_until <= timezone.now()


@pytest.mark.usefixtures("seeded")
def test_invites_rewarded_with_coupons_and_points_on_the_growth_page() -> None:
    stats = invite_stats()
    assert stats.bound >= 4 and stats.rewards == InviteReward.objects.count() >= 1
    assert stats.invitees_rewarded == 3 and stats.points_granted > 0
    assert sum(day.bound for day in stats.series) > 0 and sum(day.rewarded for day in stats.series) == 1
    reward = InviteReward.objects.get()
    assert reward.coupon is not None and reward.coupon.member_id == reward.inviter_id
    for invite in Invite.objects.filter(reward=reward):
        assert invite.coupon is not None and invite.coupon.member_id == invite.invitee_id
        assert invite.invitee.inviter_id == reward.inviter_id
    for share in InviteOrder.objects.select_related("order"):
        assert share.order.member.inviter_id == share.inviter_id
        assert share.paid_amount == share.order.payable_amount


@pytest.mark.usefixtures("seeded")
def test_commission_in_every_state_settles_as_the_service_would_and_totals_add_up() -> None:
    now = timezone.now()
    settle_days = DistributionProgram.current().settle_days
    rows = list(Commission.objects.select_related("order", "line"))
    assert {r.status for r in rows} == set(CommissionStatus.values)
    for row in rows:
        assert row.line is not None and row.line.order_id == row.order_id and row.line.sku_id == row.sku_id
        assert row.base_amount == row.line.paid_amount and row.amount == apply_rate(row.base_amount, row.rate)
        target = commission_target(row=row, order=row.order, line=row.line, settle_days=settle_days, now=now)
        assert target == (row.status, row.held_amount, row.available_at)
    totals = distribution_totals()
    for state in ("pending", "frozen", "available"):
        expected = sum(r.held_amount for r in rows if r.status == state)
        assert totals[state] == expected > 0
    assert totals["reversed"] == sum(r.amount - r.held_amount for r in rows) > 0
    paid = Withdrawal.objects.get(status=WithdrawalStatus.PAID)
    waiting = Withdrawal.objects.get(status=WithdrawalStatus.REQUESTED)
    assert totals["paid"] == paid.amount > 0 and totals["requested_count"] == 1
    assert paid.payout_reference and paid.reviewed_by is not None
    promoter = Promoter.objects.get(pk=paid.promoter_id)
    assert promoter_withdrawable(promoter_id=promoter.pk) == totals["available"] - paid.amount - waiting.amount >= 0


@pytest.mark.usefixtures("seeded")
def test_flash_sold_equals_the_order_lines_of_its_purchases() -> None:
    items = list(FlashItem.objects.all())
    assert sum(item.sold for item in items) > 0
    ended = FlashItem.objects.filter(slot__status="ended", slot__kind="slot")
    assert ended.exists() and all(i.closed and i.sold + i.returned == i.quota and i.sold > 0 for i in ended)
    for item in items:
        purchases = FlashPurchase.objects.filter(item=item)
        bought = purchases.aggregate(n=Sum("qty"))["n"] or 0
        lines = OrderLine.objects.filter(order__deal_kind="flash", order__deal_ref=item.pk, sku_id=item.sku_id)
        assert item.sold == bought == (lines.aggregate(n=Sum("qty"))["n"] or 0)
        assert item.quota >= item.sold + item.locked
        for purchase in purchases.select_related("order"):
            assert purchase.order.member_id == purchase.member_id and purchase.order.status in PAID
            assert purchase.order.lines.get().unit_price == item.flash_price


@pytest.mark.usefixtures("seeded")
def test_tool_orders_are_whole_orders_and_a_second_run_adds_nothing() -> None:
    tool_orders = Order.objects.filter(idempotency_key__startswith="seed-tool-")
    assert tool_orders.count() > 30
    for order in tool_orders.prefetch_related("lines", "payments", "refunds"):
        assert sum(line.paid_amount for line in order.lines.all()) == order.payable_amount
        payments = list(order.payments.all())
        if order.paid_at is None:
            assert payments == []
        else:
            assert [p.amount for p in payments] == [order.payable_amount]
        assert sum(r.amount for r in order.refunds.all()) == order.refunded_amount
    before = (tool_orders.count(), Payment.objects.count(), Refund.objects.count(), Coupon.objects.count())
    call_command("seed_demo", "--shoppers", "20", "--days", "10", stdout=StringIO())
    after = (tool_orders.count(), Payment.objects.count(), Refund.objects.count(), Coupon.objects.count())
    assert after == before


@pytest.mark.usefixtures("seeded")
def test_console_pages_show_the_figures(client: Client) -> None:
    client.force_login(User.objects.get(username="owner"))
    page = client.get(reverse("console:marketing_growth_stats")).content.decode()
    totals = distribution_totals()
    assert yuan(totals["available"]) in page and yuan(totals["paid"]) in page
    assert yuan(totals["frozen"]) in page and yuan(totals["reversed"]) in page
    coupons = client.get(reverse("admin:marketing_coupontemplate_changelist")).content.decode()
    for template in CouponTemplate.objects.exclude(issued_count=0):
        total = template.total_quantity if template.total_quantity is not None else "∞"
        assert f"{template.issued_count}/{total}" in coupons


def test_the_flash_gate_is_rewritten_from_the_seeded_purchases(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", "--shoppers", "20", "--days", "10", stdout=StringIO())
    client = get_redis()
    running = FlashItem.objects.filter(sold__gt=0, closed=False)
    assert running.exists()  # the limited release sells now
    for item in running:
        state = client.hgetall(gate_keys(item.pk).state)
        avail = state.get(b"avail", state.get("avail"))
        assert avail is not None and int(avail) == item.quota - item.locked - item.sold


@pytest.mark.usefixtures("seeded")
def test_the_after_sales_queue_has_requests_in_the_states_a_merchant_meets() -> None:
    from orders.models import AfterSale, AfterSaleStatus
    from orders.selectors.desk import order_tab_counts

    requests = list(AfterSale.objects.select_related("line", "order"))
    statuses = sorted(str(r.status) for r in requests)
    assert statuses == sorted(
        [
            AfterSaleStatus.PENDING,
            AfterSaleStatus.PENDING,
            AfterSaleStatus.AWAITING_RETURN,
            AfterSaleStatus.RETURNED,
            AfterSaleStatus.REJECTED,
        ]
    )
    for request in requests:
        assert request.order_id == request.line.order_id
        assert 0 < request.amount <= request.line.paid_amount
    returned = next(r for r in requests if r.status == AfterSaleStatus.RETURNED)
    assert returned.return_tracking_no == "SF1402236587411"
    # the four still open put their orders in the order desk's 售后中 tab
    assert order_tab_counts()["after_sales"] == 4
    call_command("seed_demo", "--shoppers", "20", "--days", "10", stdout=StringIO())
    assert AfterSale.objects.count() == 5
