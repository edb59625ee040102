"""Promotions compiled into rule objects once and reused by every quote that prices them.

A shop's active promotions change rarely and are quoted on every cart view, so the rule
objects (with their parsed tiers, rate fractions and flags) are built once per promotion
tuple. The cache is keyed by the tuple's identity and keeps the tuple alive, so an id can
never be reused while its entry exists; a caller that builds a new tuple per request still
gets correct results, it just compiles again. Rules hold no per-quote state.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from marketing.pricing import reasons
from marketing.pricing.rules import ITEM_RULES, ORDER_RULES, ItemRule, OrderRule
from marketing.pricing.types import PricingError, Promotion, Scope, TierRate

CACHE_SIZE = 64


@dataclass(frozen=True)
class RuleBook:
    item_rules: tuple[ItemRule[Any], ...]
    order_rules: tuple[OrderRule[Any], ...]


def compile_rules(promotions: tuple[Promotion, ...]) -> RuleBook:
    ids = [spec.id for spec in promotions]
    if len(set(ids)) != len(ids):
        raise PricingError(reasons.INVALID_REQUEST, "two promotions share an id")
    item_rules: list[ItemRule[Any]] = []
    order_rules: list[OrderRule[Any]] = []
    scopes: dict[Scope, Scope] = {}
    for spec in promotions:
        rule: ItemRule[Any] | OrderRule[Any]
        item_cls = ITEM_RULES.get(spec.type)
        order_cls = ORDER_RULES.get(spec.type)
        if item_cls is not None:
            rule = item_cls(spec)
            item_rules.append(rule)
        elif order_cls is not None:
            rule = order_cls(spec)
            order_rules.append(rule)
        else:
            raise PricingError(reasons.INVALID_REQUEST, f"no rule for promotion type {spec.type!r}")
        if rule.sku is None:
            rule.sku = _single_sku(rule.scope)  # a one-product scope is looked up like a SKU rule
        rule.scope = scopes.setdefault(rule.scope, rule.scope)
    return RuleBook(tuple(item_rules), tuple(order_rules))


def _single_sku(scope: Scope) -> str | None:
    if scope.categories is None and scope.skus is not None and len(scope.skus) == 1 and not scope.exclude_skus:
        return next(iter(scope.skus))
    return None


_cache: dict[int, tuple[tuple[Promotion, ...], RuleBook]] = {}
_lock = threading.Lock()


def rules_for(promotions: tuple[Promotion, ...]) -> RuleBook:
    """The compiled rules of ``promotions`` (from the cache when this very tuple was seen)."""
    hit = _cache.get(id(promotions))
    if hit is not None and hit[0] is promotions:
        return hit[1]
    book = compile_rules(promotions)
    with _lock:
        while len(_cache) >= CACHE_SIZE:
            del _cache[next(iter(_cache))]
        _cache[id(promotions)] = (promotions, book)
    return book


@lru_cache(maxsize=64)
def tier_rule(tier: str, rate: Decimal) -> ItemRule[Any]:
    """The member-tier rate as an item rule (the shop's tier table has a handful of rows)."""
    return ITEM_RULES[TierRate.type](TierRate(id=f"tier:{tier}", tier=tier, rate=rate))
