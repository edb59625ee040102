"""The shop's active pricing rules, cached in the Django cache (Redis in production) by version.

Every service that changes a promotion, a coupon template, a tier rate or the stacking policy
calls :func:`pricing_rules_bump` (and so does every save of the shop's settings, whose shipping
rule travels with the rules: ``marketing.apps``), which writes a new random version: the next quote misses the
cache and loads the rules again, so a change takes effect at once in every process (F44). The
bump happens immediately and again after commit, so a quote made while the change was still
uncommitted cannot leave stale rules cached under the new version. The entry also expires
after ``RULES_TTL`` seconds, which bounds what the version cannot see (promotions that ended,
a category moved in the catalogue).

Loading costs a fixed number of queries whatever the number of rules; a warm quote costs none.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Container, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from mall.cache import cache_read, cache_version, cache_write
from mall.models import Category, ShopSettings, Sku
from marketing.errors import RulesInvalid
from marketing.models import DEFAULT_TIER_RATES, CouponTemplate, PricingPolicy, Promotion, PromotionType, TierRate
from marketing.pricing import CouponSpec, Scope, StackingPolicy, SteppedPrice
from marketing.pricing import Promotion as PromotionSpec
from marketing.pricing.shipping import ShippingRule
from marketing.services.rules import coupon_spec_build, promotion_spec_build

logger = logging.getLogger(__name__)

VERSION_KEY = "marketing:pricing:version"
RULES_KEY = "marketing:pricing:rules:{version}"
RULES_TTL = 300


@dataclass(frozen=True)
class PromotionEntry:
    """One running (or upcoming) promotion; its scope's categories include their sub-categories."""

    pk: int
    name: str
    type: str
    spec: PromotionSpec


@dataclass(frozen=True)
class TemplateEntry:
    """A coupon template as an engine spec; issued coupons copy it with their own id and window."""

    pk: int
    name: str
    spec: CouponSpec


@dataclass(frozen=True)
class PricingRules:
    version: str
    loaded_at: datetime
    promotions: tuple[PromotionEntry, ...]
    templates: Mapping[int, TemplateEntry]
    tier_rates: Mapping[str, Decimal]
    policy: StackingPolicy
    category_names: Mapping[int, str]
    # Flash items live or starting soon (product badges, F02/F12): flash changes bump the version.
    flash_offers: tuple[Any, ...] = ()
    # The shop's flat fee and free-shipping threshold (``ShopSettings``), read with the rules so a
    # quote does not read the settings row each time; saving the settings bumps the version.
    shipping: ShippingRule | None = None

    def gift_codes(self) -> frozenset[str]:
        """SKU codes promotions may add as gifts (they must be in the quote's catalog)."""
        return self._gift_codes

    @cached_property
    def _gift_codes(self) -> frozenset[str]:
        """Worked out once per rules: a checkout asks twice, for a walk over every promotion."""
        codes = {getattr(p.spec, "gift_sku", None) for p in self.promotions}
        return frozenset(c for c in codes if c)

    def promotion_specs(self, sold: Mapping[int, int]) -> tuple[PromotionSpec, ...]:
        """The promotions for one quote; stepped prices learn how many units were numbered
        before this quote's (``sold`` by promotion pk: the campaign counters)."""
        if not self._stepped:
            return self._specs
        specs: list[PromotionSpec] = []
        for entry in self.promotions:
            spec = entry.spec
            if isinstance(spec, SteppedPrice):
                spec = _stepped_with_sold(spec, sold.get(entry.pk, 0))
            specs.append(spec)
        return tuple(specs)

    def counted_promotions(self) -> tuple[int, ...]:
        """Promotions whose quote depends on the shopper's past orders (a per-user limit)."""
        return self._counted

    def stepped_for(self, codes: Container[str]) -> tuple[int, ...]:
        """Stepped-price campaigns over any of these SKU codes (their counters price the quote)."""
        return tuple(pk for pk, sku in self._stepped if sku in codes)

    # What every quote asks of the promotions, worked out once per rules (issue 12: each was a
    # walk over every running promotion on every quote, five of them with 50 promotions).
    @cached_property
    def _specs(self) -> tuple[PromotionSpec, ...]:
        return tuple(entry.spec for entry in self.promotions)

    @cached_property
    def _counted(self) -> tuple[int, ...]:
        return tuple(p.pk for p in self.promotions if p.spec.per_user_limit is not None)

    @cached_property
    def _stepped(self) -> tuple[tuple[int, str], ...]:
        """(pk, SKU code) of each stepped-price campaign."""
        return tuple(
            (p.pk, p.spec.sku)
            for p in self.promotions
            if p.type == PromotionType.STEPPED_PRICE and isinstance(p.spec, SteppedPrice)
        )

    @cached_property
    def names(self) -> Mapping[str, str]:
        """The merchant's names for the promotions by engine id (shared: read, never changed)."""
        return {entry.spec.id: entry.name for entry in self.promotions}

    @cached_property
    def promotion_pks(self) -> Mapping[str, int]:
        """Each promotion's pk by engine id (shared: read, never changed)."""
        return {entry.spec.id: entry.pk for entry in self.promotions}


# Stepped campaigns' specs with a counter, reused while the counter stands still: quotes of the
# same rules then hand the engine the very same spec objects, and it reuses their compiled rule
# book (``marketing.pricing.rulebook.rules_for``) instead of compiling it on every quote.
_STEPPED_HELD = 256
_stepped_specs: dict[tuple[int, int], tuple[SteppedPrice, SteppedPrice]] = {}


def _stepped_with_sold(spec: SteppedPrice, sold: int) -> SteppedPrice:
    if spec.sold == sold:
        return spec
    held = _stepped_specs.get((id(spec), sold))
    if held is not None and held[0] is spec:
        return held[1]
    made = replace(spec, sold=sold)
    if len(_stepped_specs) >= _STEPPED_HELD:
        _stepped_specs.clear()
    _stepped_specs[(id(spec), sold)] = (spec, made)  # holds ``spec``: its id is not reused meanwhile
    return made


# The version this process saw last: kept while Redis is unreachable (see mall.cache).
_seen_version = ""


def pricing_rules_version(*, read: Any = None) -> str:
    """The current version; ``read`` is its value when the caller already read the cache entry
    (a view's ``throttle_cache_reads``): a missing one goes the usual way."""
    global _seen_version
    _seen_version = str(read) if read else cache_version(VERSION_KEY, held=_seen_version)
    return _seen_version


def _bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def pricing_rules_bump() -> None:
    """Invalidate the cached rules now and once more when the current transaction commits."""
    _bump()
    transaction.on_commit(_bump)


def pricing_rules_bump_on_settings_save(**_kwargs: Any) -> None:
    """``post_save`` of ``ShopSettings``: its shipping rule is part of the cached rules."""
    pricing_rules_bump()


def _scope(row: Promotion | CouponTemplate, parent: Mapping[int, int | None]) -> Scope:
    """The row's scope in engine terms: category ids (with their sub-categories) and SKU codes."""
    categories = {c.pk for c in row.categories.all()}
    return Scope(
        categories=frozenset(str(pk) for pk in descendants(categories, parent)) or None,
        skus=frozenset(s.code for s in row.skus.all()) or None,
        exclude_skus=frozenset(s.code for s in row.exclude_skus.all()),
    )


def _scope_prefetches() -> list[Prefetch]:
    codes = Sku.objects.only("pk", "code")
    return [
        Prefetch("categories", queryset=Category.objects.only("pk")),
        Prefetch("skus", queryset=codes),
        Prefetch("exclude_skus", queryset=codes),
    ]


def tier_rates_load() -> dict[str, Decimal]:
    """Rates per tier: the table's rows over F14's defaults."""
    rates = dict(DEFAULT_TIER_RATES)
    rates.update(TierRate.objects.values_list("tier", "rate"))
    return rates


def stacking_policy_from(policy: PricingPolicy) -> StackingPolicy:
    return StackingPolicy(
        coupon_groups=policy.stacking_groups(),
        coupons_per_group=policy.coupons_per_group,
        special_price_lines_join_order_promotions=policy.special_price_lines_join_order_promotions,
        special_price_lines_take_coupons=policy.special_price_lines_take_coupons,
        points_cap_rate=policy.points_cap_rate,
        points_per_yuan=policy.points_per_yuan,
        points_earned_per_yuan=policy.points_earned_per_yuan,
        same_type=policy.same_type,  # type: ignore[arg-type]
    )


def _promotion_entries(
    now: datetime, parent: Mapping[int, int | None], *, include_inactive: bool = False
) -> tuple[PromotionEntry, ...]:
    rows = Promotion.objects.filter(ends_at__gt=now)
    if not include_inactive:
        rows = rows.filter(is_active=True)
    rows = rows.prefetch_related(*_scope_prefetches()).order_by("pk")
    entries = []
    for row in rows:
        try:
            spec = promotion_spec_build(
                pk=row.pk,
                type=row.type,
                rules=row.rules,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                per_user_limit=row.per_user_limit,
                scope=_scope(row, parent),
                check_skus=False,
            )
        except RulesInvalid:  # saved through the services, so only a hand-edited row gets here
            logger.error("promotion %s has rules the engine cannot run; left out of quotes", row.pk)
            continue
        entries.append(PromotionEntry(pk=row.pk, name=row.name, type=row.type, spec=spec))
    return tuple(entries)


def _template_entries(parent: Mapping[int, int | None]) -> dict[int, TemplateEntry]:
    entries = {}
    for row in CouponTemplate.objects.prefetch_related(*_scope_prefetches()).order_by("pk"):
        try:
            spec = coupon_spec_build(
                pk=None,
                kind=row.kind,
                group=row.group,
                threshold=row.threshold,
                off=row.off,
                rate=row.rate,
                max_off=row.max_off,
                scope=_scope(row, parent),
            )
        except RulesInvalid:
            logger.error("coupon template %s cannot be priced; its coupons are left out of quotes", row.pk)
            continue
        entries[row.pk] = TemplateEntry(pk=row.pk, name=row.name, spec=spec)
    return entries


def _shipping_rule() -> ShippingRule:
    """The shop's flat fee and threshold; the defaults, unsaved, before the row exists (rules may
    load inside an order's transaction: a read, no get_or_create)."""
    shop = ShopSettings.objects.filter(pk=1).first() or ShopSettings(pk=1)
    return ShippingRule(flat_fee=shop.shipping_flat_fee, free_threshold=shop.free_shipping_threshold)


def pricing_rules_load(
    *, version: str = "", now: datetime | None = None, include_inactive: bool = False
) -> PricingRules:
    """Read every rule from the database (no cache); ``include_inactive`` is for the 试算 page,
    where a merchant tries promotions before switching them on."""
    from marketing.selectors.flash_sales import flash_offers_load  # flash selectors read this module

    now = now or timezone.now()
    tree = list(Category.objects.values_list("pk", "parent_id", "name"))
    parent = {pk: parent_id for pk, parent_id, _name in tree}
    return PricingRules(
        version=version,
        loaded_at=now,
        promotions=_promotion_entries(now, parent, include_inactive=include_inactive),
        templates=_template_entries(parent),
        tier_rates=tier_rates_load(),
        policy=stacking_policy_from(PricingPolicy.current()),
        category_names={pk: name for pk, _parent, name in tree},
        flash_offers=flash_offers_load(now=now, keep_for=timedelta(seconds=RULES_TTL)),
        shipping=_shipping_rule(),
    )


# The rules of the current version, kept in this process too: unpickling them from the shared
# cache on every quote cost more than pricing the cart. The version key (one small cache read)
# still decides, so a merchant's change reaches every worker at its next quote.
_process_rules: dict[str, tuple[float, PricingRules]] = {}


def pricing_rules_active(*, now: datetime | None = None, version_read: Any = None) -> PricingRules:
    """The rules for a quote: from memory or the cache under the current version, loaded on a miss
    (``version_read``: the version key's value as the caller read it, see ``pricing_rules_version``)."""
    version = pricing_rules_version(read=version_read)
    held = _process_rules.get(version)
    if held is not None and time.monotonic() - held[0] < RULES_TTL:
        return held[1]
    key = RULES_KEY.format(version=version)
    rules = cache_read(key)
    if not isinstance(rules, PricingRules):
        rules = pricing_rules_load(version=version, now=now)
        cache_write(key, rules, timeout=RULES_TTL)
    _process_rules.clear()
    _process_rules[version] = (time.monotonic(), rules)
    return rules


def descendants(chosen: set[int], parent: Mapping[int, int | None]) -> set[int]:
    """``chosen`` and every category below them: a scope naming 美妆 covers 口红 under it."""
    if not chosen:
        return set()
    covered = set()
    for pk in parent:
        node: int | None = pk
        for _depth in range(32):  # a corrupted tree with a cycle cannot hang a load
            if node is None:
                break
            if node in chosen:
                covered.add(pk)
                break
            node = parent.get(node)
    return covered | chosen
