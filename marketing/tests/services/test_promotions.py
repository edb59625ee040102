"""Promotions: refusals of impossible rules (in Chinese, per field), audit, live effect."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.utils import timezone

from mall.models import AuditLog, Category, Sku
from marketing.errors import RulesInvalid
from marketing.models import Promotion
from marketing.selectors.checkout_pricing import quote_for_checkout
from marketing.services.promotions import promotion_create, promotion_set_active, promotion_update
from marketing.tests.conftest import promotion_data
from members.models import Member

pytestmark = pytest.mark.django_db

TIERS_OK = {"tiers": [{"threshold": "99.00", "off": "10.00"}, {"threshold": "199.00", "off": "30.00"}]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"rules": {"tiers": [{"threshold": "199.00", "off": "30.00"}, {"threshold": "99.00", "off": "10.00"}]}},
            "tiers",
        ),  # tiers not increasing
        (
            {"rules": {"tiers": [{"threshold": "99.00", "off": "30.00"}, {"threshold": "199.00", "off": "20.00"}]}},
            "tiers",
        ),  # a higher tier taking off less
        ({"rules": {"tiers": [{"threshold": "50.00", "off": "50.00"}]}}, "tiers"),  # off ≥ threshold
        ({"rules": {"tiers": []}}, "tiers"),
        ({"rules": {"tiers": [{"threshold": "abc", "off": "1"}]}}, "tiers"),
        ({"type": "limited_discount", "rules": {"rate": "1.5"}}, "rate"),  # rate outside (0, 1]
        ({"type": "limited_discount", "rules": {"rate": "0"}}, "rate"),
        ({"type": "nth_item", "rules": {"n": 1, "rate": "0.5"}}, "n"),
        ({"type": "full_gift", "rules": {"threshold": "159.00", "gift_sku": "NO-SUCH-SKU"}}, "gift_sku"),
        ({"type": "buy_x_get_y", "rules": {"buy_sku": "LIP-01", "buy_qty": 1, "gift_sku": "GHOST"}}, "gift_sku"),
        ({"type": "flash_sale", "rules": {"sku": "LIP-01", "price": "59.00"}}, "type"),  # retired: use flash slots
        (
            {
                "type": "stepped_price",
                "rules": {"sku": "LIP-01", "steps": [{"upto": 300, "rate": "0.6"}, {"upto": 100, "rate": "0.5"}]},
            },
            "steps",
        ),
        ({"rules": {**TIERS_OK, "colour": "red"}}, "colour"),  # a field the type does not have
        ({"ends_at": timezone.now() - timedelta(days=2)}, "ends_at"),  # ends before it starts
        ({"name": ""}, "name"),
        ({"type": "mystery"}, "type"),
    ],
)
def test_impossible_rules_are_refused(staff: User, lipstick: Sku, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(RulesInvalid) as caught:
        promotion_create(actor=staff, data=promotion_data(**overrides))
    errors = caught.value.details["errors"]
    assert field in errors, errors
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors[field])
    assert not Promotion.objects.exists()


def test_sku_types_take_no_scope(staff: User, lipstick: Sku, beauty: Category) -> None:
    with pytest.raises(RulesInvalid) as caught:
        promotion_create(
            actor=staff,
            data=promotion_data(
                type="stepped_price",
                rules={"sku": "LIP-01", "steps": [{"upto": 100, "rate": "0.5"}]},
                category_ids=(beauty.pk,),
            ),
        )
    assert "categories" in caught.value.details["errors"]


def test_create_stores_rules_and_scope_and_audits(staff: User, beauty: Category, lipstick: Sku) -> None:
    promotion = promotion_create(
        actor=staff, data=promotion_data(rules=TIERS_OK, category_ids=(beauty.pk,), exclude_sku_ids=(lipstick.pk,))
    )
    assert promotion.rules == TIERS_OK
    assert list(promotion.categories.all()) == [beauty]
    assert list(promotion.exclude_skus.all()) == [lipstick]
    log = AuditLog.objects.get(action="promotion.create")
    assert (log.actor, log.data["rules"]) == (staff, TIERS_OK)


def test_type_cannot_change_on_update(staff: User, make_promotion: Callable[..., Promotion]) -> None:
    promotion = make_promotion()
    with pytest.raises(RulesInvalid):
        promotion_update(
            actor=staff, promotion_id=promotion.pk, data=promotion_data(type="limited_discount", rules={"rate": "0.8"})
        )


def test_an_edit_changes_the_next_quote_at_once(
    staff: User, make_promotion: Callable[..., Promotion], member: Member, lipstick: Sku, shop: object
) -> None:
    promotion = make_promotion()
    assert quote_for_checkout(member=member, items=[(lipstick, 1)]).payable_amount == 8500 + 800  # shipping
    promotion_update(
        actor=staff,
        promotion_id=promotion.pk,
        data=promotion_data(rules={"tiers": [{"threshold": "100.00", "off": "40.00"}]}),
    )
    assert quote_for_checkout(member=member, items=[(lipstick, 1)]).payable_amount == 6000 + 800
    promotion_set_active(actor=staff, promotion_id=promotion.pk, is_active=False)
    assert quote_for_checkout(member=member, items=[(lipstick, 1)]).payable_amount == 10000
    assert AuditLog.objects.filter(target_id=str(promotion.pk)).count() == 3


def _legacy_flash_sale(*, starts: timedelta, ends: timedelta, active: bool = True) -> Promotion:
    """A 秒杀价 promotion as the old console saved it (written directly: no service makes one now)."""
    now = timezone.now()
    return Promotion.objects.create(
        type="flash_sale",
        name="旧秒杀价",
        starts_at=now + starts,
        ends_at=now + ends,
        rules={"sku": "LIP-01", "price": "59.00"},
        per_user_limit=1,
        is_active=active,
    )


def test_the_migration_ends_every_flash_sale_promotion_and_audits_it(
    lipstick: Sku, member: Member, shop: object
) -> None:
    """Issue 10 §5: a running 秒杀价 ends now, a future one is switched off, a past one is left alone."""
    running = _legacy_flash_sale(starts=-timedelta(hours=1), ends=timedelta(hours=1))
    future = _legacy_flash_sale(starts=timedelta(days=1), ends=timedelta(days=2))
    past = _legacy_flash_sale(starts=-timedelta(days=2), ends=-timedelta(days=1), active=False)
    migration = importlib.import_module("marketing.migrations.0011_free_shipping_and_flash_sale_promotions_retired")
    at = timezone.now()
    migration.end_flash_sale_promotions(django_apps, None)

    running.refresh_from_db()
    future.refresh_from_db()
    assert (running.is_active, future.is_active) == (False, False)
    assert at <= running.ends_at <= timezone.now()
    assert future.ends_at > timezone.now()  # never starts: switched off, its window kept
    logged = AuditLog.objects.filter(action="promotion.retire_flash_sale")
    assert sorted(int(row.target_id) for row in logged) == sorted([running.pk, future.pk])
    assert not AuditLog.objects.filter(target_id=str(past.pk)).exists()
    # The lipstick (100.00, free shipping from 99.00) is back at its list price.
    assert quote_for_checkout(member=member, items=[(lipstick, 1)]).payable_amount == lipstick.price


def test_a_retired_flash_sale_promotion_cannot_be_switched_back_on(staff: User, lipstick: Sku) -> None:
    ended = _legacy_flash_sale(starts=-timedelta(days=2), ends=timedelta(days=2), active=False)
    with pytest.raises(RulesInvalid) as caught:
        promotion_set_active(actor=staff, promotion_id=ended.pk, is_active=True)
    assert "秒杀场次" in str(caught.value.message)
    ended.refresh_from_db()
    assert ended.is_active is False


def test_an_active_legacy_row_is_left_out_of_quotes(lipstick: Sku, member: Member, shop: object) -> None:
    """Even a hand-made active row of the retired type never prices a line (no quota, no gate)."""
    _legacy_flash_sale(starts=-timedelta(hours=1), ends=timedelta(hours=1))
    quote = quote_for_checkout(member=member, items=[(lipstick, 1)])
    assert quote.lines[0].unit_price == lipstick.price
    assert quote.lines[0].item_rule is None
