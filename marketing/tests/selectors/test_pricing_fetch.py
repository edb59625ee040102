"""The fetch step: a fixed number of queries, scopes over the category tree, usage, wallet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mall.errors import ApplicationError
from mall.models import Category, Sku
from marketing.errors import CouponNotFound, CouponUnavailable
from marketing.models import Coupon, CouponStatus, CouponTemplate, Promotion
from marketing.selectors.checkout_pricing import quote_for_checkout
from marketing.selectors.pricing_fetch import ShopperState, member_with_wallet, pricing_fetch, shopper_state
from marketing.selectors.pricing_rules import pricing_rules_active
from marketing.services.coupons import coupon_claim
from marketing.tests.conftest import grant_points, place
from members.models import Member
from members.tests.factories import MemberFactory
from members.tests.fixtures import SHOPPER_CONTEXT
from orders.services.orders import order_cancel

pytestmark = pytest.mark.django_db

# Warm rules cache: shopper row with the wallet (one statement), promotion usage, gift SKUs.
QUERIES_PER_FETCH = 3


@pytest.fixture
def busy_shop(
    make_sku: Callable[..., Sku],
    beauty: Category,
    lipstick_category: Category,
    snacks: Category,
    make_promotion: Callable[..., Promotion],
    make_template: Callable[..., CouponTemplate],
    member: Member,
) -> list[Sku]:
    """20 SKUs, promotions of several types (one with a per-user limit, one with a gift), 3 coupons."""
    skus = [make_sku(f"S{i:02d}", 1000 + 100 * i, (beauty, lipstick_category, snacks)[i % 3]) for i in range(20)]
    make_promotion(name="满100减15")
    make_promotion(type="limited_discount", name="零食8折", rules={"rate": "0.8"}, category_ids=(snacks.pk,))
    make_promotion(
        type="limited_discount", name="限购折扣", rules={"rate": "0.5"}, sku_ids=(skus[1].pk,), per_user_limit=2
    )
    make_promotion(type="full_gift", name="满159赠", rules={"threshold": "159.00", "gift_sku": "S19"})
    make_promotion(type="nth_item", name="第二件半价", rules={"n": 2, "rate": "0.5"}, category_ids=(beauty.pk,))
    for off in (500, 1000, 2000):
        coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(off=off).pk)
    grant_points(member, 5000)
    return skus


def _count(member: Member, items: list[tuple[Sku, int]]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        pricing_fetch(member=member, items=items, coupon_ids=None, points="max")
    return len(ctx.captured_queries)


def test_query_count_is_the_same_for_1_and_20_lines(
    busy_shop: list[Sku], member: Member, django_assert_max_num_queries: Any
) -> None:
    pricing_rules_active()  # warm the cache, as every quote after the first finds it
    one = [(busy_shop[0], 1)]
    twenty = [(sku, 2) for sku in busy_shop]
    with django_assert_max_num_queries(QUERIES_PER_FETCH):
        pricing_fetch(member=member, items=one, coupon_ids=None)
    with django_assert_max_num_queries(QUERIES_PER_FETCH):
        pricing_fetch(member=member, items=twenty, coupon_ids=None)
    assert _count(member, one) == _count(member, twenty)


def test_a_cold_cache_costs_a_fixed_number_of_queries_too(busy_shop: list[Sku], member: Member) -> None:
    from django.core.cache import cache

    cache.clear()
    cold = _count(member, [(busy_shop[0], 1)])
    cache.clear()
    assert _count(member, [(sku, 1) for sku in busy_shop]) == cold
    assert cold <= QUERIES_PER_FETCH + 13  # the rules' load, the shop's shipping rule included


def test_request_carries_the_shopper_and_the_wallet(busy_shop: list[Sku], member: Member) -> None:
    fetched = pricing_fetch(member=member, items=[(busy_shop[1], 1)], coupon_ids=None)
    request = fetched.request
    assert (request.shopper.tier, request.shopper.points, request.shopper.is_new) == ("normal", 5000, True)
    assert len(request.coupons) == 3
    assert request.selected_coupon_ids is None
    assert "S19" in request.catalog  # the gift SKU is priced too
    assert request.catalog["S01"].category == str(busy_shop[1].product.category_id)
    assert {fetched.names[p.id] for p in request.promotions} >= {"满100减15", "限购折扣"}


def test_the_written_out_wallet_query_gives_the_orm_windows(
    make_template: Callable[..., CouponTemplate], member: Member, other_member: Member, busy_shop: list[Sku]
) -> None:
    """The wallet is read with a raw cursor (issue 12): the same coupons, in pk order, with the
    same aware windows as the ORM; another shopper's, used and expired coupons stay out."""
    later = make_template(
        off=300,
        valid_from=timezone.now() + timedelta(days=2),
        valid_until=timezone.now() + timedelta(days=9),
        valid_days=None,
    )
    upcoming = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=later.pk)
    coupon_claim(context=SHOPPER_CONTEXT, member=other_member, template_id=later.pk)
    expired = Coupon.objects.filter(member=member).exclude(pk=upcoming.pk).order_by("pk").first()
    assert expired is not None
    Coupon.objects.filter(pk=expired.pk).update(
        valid_until=timezone.now() - timedelta(seconds=1), valid_from=timezone.now() - timedelta(days=1)
    )
    fetched = pricing_fetch(member=member, items=[(busy_shop[0], 1)], coupon_ids=None)
    wallet = Coupon.objects.filter(member=member, status=CouponStatus.UNUSED, valid_until__gt=timezone.now()).order_by(
        "pk"
    )
    assert [fetched.coupon_pks[c.id] for c in fetched.request.coupons] == [c.pk for c in wallet]
    assert [(c.starts_at, c.ends_at) for c in fetched.request.coupons] == [
        (c.valid_from, c.valid_until) for c in wallet
    ]
    spec = next(c for c in fetched.request.coupons if fetched.coupon_pks[c.id] == upcoming.pk)
    assert spec.starts_at is not None and spec.starts_at.utcoffset() == timedelta(0)


def test_the_member_read_with_the_wallet_prices_one_quote_at_its_instant(busy_shop: list[Sku], member: Member) -> None:
    """Issue 12: the checkout preview reads the shopper's row with their state and wallet; a quote
    at that very instant takes them (no query of its own), any other reads them again."""
    pricing_rules_active()  # rules cached: only the fetch's own queries are counted
    at = timezone.now()
    loaded = member_with_wallet(member.pk, at=at)
    assert loaded is not None
    assert {f.attname: getattr(loaded, f.attname) for f in Member._meta.concrete_fields} == {
        f.attname: getattr(member, f.attname) for f in Member._meta.concrete_fields
    }
    items = [(busy_shop[1], 1)]
    with CaptureQueriesContext(connection) as held:
        fetched = pricing_fetch(member=loaded, items=items, coupon_ids=None, at=at)
    with CaptureQueriesContext(connection) as again:
        refetched = pricing_fetch(member=loaded, items=items, coupon_ids=None, at=at)  # used once only
    assert len(held) == len(again) - 1
    assert fetched.request == refetched.request
    loaded = member_with_wallet(member.pk, at=at - timedelta(seconds=1))
    assert loaded is not None
    with CaptureQueriesContext(connection) as later:
        pricing_fetch(member=loaded, items=items, coupon_ids=None, at=at)  # another instant: read again
    assert len(later) == len(again)
    assert member_with_wallet(10**12, at=at) is None


def test_wallet_specs_are_reused_while_their_rows_read_the_same(busy_shop: list[Sku], member: Member) -> None:
    """The engine keeps each coupon's rule by spec object: a wallet priced again gets the same
    objects; a changed window makes a new one."""
    first = pricing_fetch(member=member, items=[(busy_shop[1], 1)], coupon_ids=None).request.coupons
    second = pricing_fetch(member=member, items=[(busy_shop[1], 1)], coupon_ids=None).request.coupons
    assert len(first) == 3 and all(a is b for a, b in zip(first, second, strict=True))
    coupon = Coupon.objects.filter(member=member).order_by("pk").first()
    assert coupon is not None
    Coupon.objects.filter(pk=coupon.pk).update(valid_until=coupon.valid_until + timedelta(days=1))
    third = pricing_fetch(member=member, items=[(busy_shop[1], 1)], coupon_ids=None).request.coupons
    assert third[0] is not first[0] and third[0].ends_at == coupon.valid_until + timedelta(days=1)
    assert all(a is b for a, b in zip(first[1:], third[1:], strict=True))


def test_a_category_scope_covers_its_sub_categories(
    make_template: Callable[..., CouponTemplate],
    member: Member,
    beauty: Category,
    lipstick: Sku,
    cookie: Sku,
    shop: object,
) -> None:
    coupon = coupon_claim(
        context=SHOPPER_CONTEXT,
        member=member,
        template_id=make_template(group="category", category_ids=(beauty.pk,)).pk,
    )
    quote = quote_for_checkout(member=member, items=[(lipstick, 1), (cookie, 1)], coupon_ids=[coupon.pk])
    lip_line, cookie_line = quote.lines
    assert [a["rule_id"] for a in lip_line.allocations] == [f"coupon:{coupon.pk}"]
    assert cookie_line.allocations == ()
    assert quote.discount_amount == 2000


def test_per_user_limit_counts_earlier_orders_and_cancelling_frees_it(
    make_promotion: Callable[..., Promotion], member: Member, lipstick: Sku, shop: object
) -> None:
    """Promotion limits count orders (flash sales count units in their own tables, F02)."""
    make_promotion(
        type="limited_discount", name="口红限购折扣", rules={"rate": "0.6"}, sku_ids=(lipstick.pk,), per_user_limit=1
    )
    order = place(member, [(lipstick, 2)])
    assert order.lines.get().unit_price == 6000
    again = quote_for_checkout(member=member, items=[(lipstick, 1)])
    assert again.lines[0].unit_price == 10000
    assert [r["reason"] for r in again.rejected] == ["limit"]
    order_cancel(order_id=order.pk, reason="test")
    assert quote_for_checkout(member=member, items=[(lipstick, 1)]).lines[0].unit_price == 6000


def test_stepped_price_counts_orders_of_every_shopper(
    make_promotion: Callable[..., Promotion], lipstick: Sku, shop: object
) -> None:
    make_promotion(
        type="stepped_price",
        name="阶梯价",
        rules={"sku": "LIP-01", "steps": [{"upto": 2, "rate": "0.5"}, {"upto": 100, "rate": "0.6"}]},
    )
    buyers = MemberFactory.create_batch(3)
    prices = [place(buyer, [(lipstick, 1)]).lines.get().unit_price for buyer in buyers]
    assert prices == [5000, 5000, 6000]


def test_someone_elses_coupon_is_not_found_and_a_used_one_unavailable(
    make_template: Callable[..., CouponTemplate], member: Member, other_member: Member, lipstick: Sku, shop: object
) -> None:
    template = make_template(per_user_limit=1)
    theirs = coupon_claim(context=SHOPPER_CONTEXT, member=other_member, template_id=template.pk)
    mine = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=template.pk)
    with pytest.raises(CouponNotFound):
        pricing_fetch(member=member, items=[(lipstick, 1)], coupon_ids=[theirs.pk])
    place(member, [(lipstick, 1)], coupon_ids=[mine.pk])
    with pytest.raises(CouponUnavailable):
        pricing_fetch(member=member, items=[(lipstick, 1)], coupon_ids=[mine.pk])
    with pytest.raises(CouponNotFound):
        pricing_fetch(member=member, items=[(lipstick, 1)], coupon_ids=["not-a-number"])


def test_shopper_state_sums_the_ledger_and_ignores_cancelled_orders(
    member: Member, lipstick: Sku, shop: object
) -> None:
    assert shopper_state(member=member) == ShopperState(tier="normal", points=0, is_new=True)
    grant_points(member, 300)
    grant_points(member, -120)
    order = place(member, [(lipstick, 1)])
    assert shopper_state(member=member).is_new is False
    order_cancel(order_id=order.pk, reason="test")
    assert shopper_state(member=member) == ShopperState(tier="normal", points=180, is_new=True)
    other = MemberFactory.create(tier="gold")
    assert shopper_state(member=other) == ShopperState(tier="gold", points=0, is_new=True)


def _outcome(member: Member, items: list[tuple[Sku, int]], chosen: list[int | str], *, whole_wallet: bool) -> Any:
    """What a checkout quote comes to (the price, or the refusal's class, message and details)."""
    try:
        quote = quote_for_checkout(member=member, items=items, coupon_ids=chosen, whole_wallet=whole_wallet)
    except ApplicationError as error:
        return type(error), str(error.message), error.details
    return quote.lines, quote.goods_amount, quote.discount_amount, quote.payable_amount, quote.applied, quote.coupon_ids


@pytest.mark.parametrize(
    "choice", ["usable", "two", "theirs", "used", "expired", "upcoming", "short", "conflict", "none", "junk"]
)
def test_a_wallet_narrowed_to_the_choice_prices_and_refuses_as_the_whole_wallet(
    choice: str,
    make_template: Callable[..., CouponTemplate],
    member: Member,
    other_member: Member,
    lipstick: Sku,
    cookie: Sku,
    shop: object,
) -> None:
    """Order placement reads only the chosen coupons (issue 12): the same price, the same
    refusal (someone else's 404, used or expired 409, not usable, conflict), fewer verdicts."""
    now = timezone.now()

    def claim(owner: Member = member, **template: Any) -> Coupon:
        return coupon_claim(context=SHOPPER_CONTEXT, member=owner, template_id=make_template(**template).pk)

    wallet = [claim(off=off, threshold=threshold) for off, threshold in ((500, 0), (900, 50000), (300, 0))]
    platform = claim(off=700, group="platform")
    used, expired = claim(off=100), claim(off=200)
    place(member, [(lipstick, 1)], coupon_ids=[used.pk])
    Coupon.objects.filter(pk=expired.pk).update(valid_from=now - timedelta(days=2), valid_until=now - timedelta(days=1))
    upcoming = claim(off=400, valid_from=now + timedelta(days=1), valid_until=now + timedelta(days=5), valid_days=None)
    choices: dict[str, list[int | str]] = {
        "usable": [wallet[0].pk],
        "two": [platform.pk, wallet[2].pk],
        "theirs": [wallet[0].pk, claim(other_member).pk],
        "used": [used.pk],
        "expired": [expired.pk],
        "upcoming": [upcoming.pk],
        "short": [wallet[1].pk],
        "conflict": [wallet[0].pk, wallet[2].pk],
        "none": [],
        "junk": ["x1"],
    }
    chosen = choices[choice]
    items = [(lipstick, 1), (cookie, 2)]
    whole = _outcome(member, items, chosen, whole_wallet=True)
    assert _outcome(member, items, chosen, whole_wallet=False) == whole
    if choice in ("usable", "two", "none"):
        narrowed = quote_for_checkout(member=member, items=items, coupon_ids=chosen, whole_wallet=False)
        assert sorted(c["coupon_id"] for c in narrowed.coupons) == sorted(chosen)
        assert not any(r["rule_type"] in ("amount_off", "no_threshold") for r in narrowed.rejected)


@pytest.mark.parametrize("locks_rows", [True, False])
def test_the_placement_lock_asks_for_update_only_where_the_database_locks_rows(
    monkeypatch: pytest.MonkeyPatch, locks_rows: bool
) -> None:
    """SQLite (the embedded default) has no ``FOR UPDATE``: there the lock statement reads the
    same columns without it (its writers take the whole database in turn), or every placement
    would fail on a syntax error."""
    from marketing.selectors import pricing_fetch as fetch

    monkeypatch.setattr(connection.features, "has_select_for_update", locks_rows)
    fetch._shopper_and_wallet_sql_for.cache_clear()
    try:
        for vendor in ("mysql", "sqlite"):
            sql = fetch._shopper_and_wallet_sql_for(vendor, chosen=1, locking=True)
            assert ("FOR UPDATE" in sql) is locks_rows
            assert "idempotency_key" in sql
    finally:
        fetch._shopper_and_wallet_sql_for.cache_clear()


def test_what_every_quote_asks_of_the_rules_is_the_walk_over_their_promotions(busy_shop: list[Sku]) -> None:
    """Worked out once per rules (issue 12), each view equals the walk it replaced."""
    rules = pricing_rules_active()
    entries = rules.promotions
    assert len(entries) == 5
    assert rules.promotion_specs({}) == tuple(entry.spec for entry in entries)
    assert rules.counted_promotions() == tuple(e.pk for e in entries if e.spec.per_user_limit is not None) != ()
    assert rules.gift_codes() == frozenset({"S19"})
    assert rules.names == {entry.spec.id: entry.name for entry in entries}
    assert rules.promotion_pks == {entry.spec.id: entry.pk for entry in entries}
    assert rules.stepped_for({"S01", "S19"}) == ()
    assert rules.promotion_specs({}) is rules.promotion_specs({})  # the same tuple: no walk per quote
