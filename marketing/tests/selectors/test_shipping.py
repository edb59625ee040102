"""包邮 through the fetch step and checkout (issue 10 §4): product and campaign waivers, the
threshold, what the quote and the order say about it, and the registry a tier source plugs into."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from mall.models import Category, ShopSettings, Sku
from marketing.pricing.shipping import ShippingWaiver
from marketing.selectors.checkout_pricing import quote_for_checkout
from marketing.selectors.quotes import quote_for_member
from marketing.selectors.shipping import (
    FoundWaiver,
    WaiverContext,
    shipping_for_quote,
    shipping_waiver_source,
    shipping_waiver_source_unregister,
)
from marketing.services.bargains import bargain_start
from marketing.services.deals import DealRequest
from marketing.services.group_buys import GroupBuyItemData
from marketing.tests.conftest import group_order
from marketing.tests.flash import FLASH_PRICE, buy, first_item, make_slot, shelf_sku
from members.models import Member
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def tissue(make_sku: Callable[..., Sku], snacks: Category) -> Sku:
    """A 19.90 product the merchant ships free (商品包邮)."""
    sku = make_sku("TISSUE", 1990, snacks)
    sku.product.free_shipping = True
    sku.product.save(update_fields=["free_shipping"])
    return Sku.objects.select_related("product").get(pk=sku.pk)


def test_a_product_marked_free_shipping_ships_free_alone_and_the_quote_names_it(
    tissue: Sku, member: Member, shop: ShopSettings
) -> None:
    quote = quote_for_checkout(member=member, items=[(tissue, 1)])
    assert (quote.shipping_fee, quote.payable_amount) == (0, 1990)
    shipping = quote.shipping
    assert (shipping["free"], shipping["reason"], shipping["flat_fee"]) == (True, "waived", 800)
    assert shipping["rules"] == [
        {
            "rule_id": f"product:{tissue.product_id}",
            "rule_type": "free_shipping",
            "kind": "product",
            "name": "商品 TISSUE 包邮",
        }
    ]
    assert shipping["reason_label"] == "商品 TISSUE 包邮"
    assert not [h for h in quote.hints if h["rule_type"] == "free_shipping"]  # no 凑单 for shipping


def test_beside_a_product_that_is_not_free_the_fee_is_charged_and_the_waiver_reported(
    tissue: Sku, cookie: Sku, member: Member, shop: ShopSettings
) -> None:
    quote = quote_for_checkout(member=member, items=[(tissue, 1), (cookie, 1)])  # 19.90 + 30.00
    assert quote.shipping_fee == 800
    assert quote.shipping["reason"] == "charged"
    assert [r["rule_id"] for r in quote.shipping["not_enough"]] == [f"product:{tissue.product_id}"]
    assert quote.shipping["short_by"] == 9900 - 4990
    assert [h["short_by"] for h in quote.hints if h["rule_type"] == "free_shipping"] == [9900 - 4990]


def test_the_threshold_is_named_when_it_makes_the_order_free(lipstick: Sku, member: Member, shop: ShopSettings) -> None:
    quote = quote_for_checkout(member=member, items=[(lipstick, 1)])
    assert (quote.shipping_fee, quote.shipping["reason"]) == (0, "threshold")
    assert quote.shipping["rules"][0]["rule_id"] == "free_shipping:threshold"
    assert quote.shipping["reason_label"] == "满 99.00 元包邮"


def test_a_9_9_flash_item_marked_free_shipping_is_bought_without_shipping(
    redis_client: Any, member: Member, shop: ShopSettings
) -> None:
    """F02's "9.9 包邮": the order of the lead product pays 9.90 and nothing for shipping."""
    free = first_item(make_slot(items=[(shelf_sku(), 5)], free_shipping=True, title="10 点场"))
    order = buy(member, free).order
    assert (order.goods_amount, order.shipping_fee, order.payable_amount) == (5900, 0, FLASH_PRICE)
    assert order.pricing["shipping"]["reason"] == "waived"
    assert order.pricing["shipping"]["rules"][0]["rule_id"] == f"flash:{free.pk}"
    assert order.pricing["shipping"]["rules"][0]["kind"] == "flash_sale"


def test_a_flash_item_without_free_shipping_still_pays_the_flat_fee(
    redis_client: Any, member: Member, shop: ShopSettings
) -> None:
    item = first_item(make_slot(items=[(shelf_sku(), 5)]))
    preview = quote_for_checkout(member=member, items=[(item.sku, 1)], deal=DealRequest(kind="flash", ref=item.pk))
    assert (preview.shipping_fee, preview.shipping["reason"]) == (800, "charged")


def test_a_group_buy_marked_free_shipping_ships_the_groups_orders_free(
    make_group_campaign: Callable[..., Any], make_sku: Callable[..., Sku], beauty: Category, cream: Sku, member: Member
) -> None:
    campaign = make_group_campaign(cream, free_shipping=True)
    order = group_order(member, campaign, cream)
    assert (order.shipping_fee, order.payable_amount) == (0, 2900)
    assert order.pricing["shipping"]["rules"][0]["rule_id"] == f"group:{campaign.pk}"
    serum = make_sku("SERUM-30", 5900, beauty)
    plain = make_group_campaign(serum, name="精华 3 人团", items=(GroupBuyItemData(sku_id=serum.pk, price=2900),))
    preview = quote_for_checkout(member=member, items=[(serum, 1)], deal=DealRequest(kind="group", ref=plain.pk))
    assert (preview.payable_amount, preview.shipping_fee) == (2900 + 800, 800)


def test_a_bargain_marked_free_shipping_is_bought_without_shipping(
    make_bargain_campaign: Callable[..., Any], cream: Sku, member: Member
) -> None:
    campaign = make_bargain_campaign(cream, helpers_min=5, helpers_max=10, free_shipping=True)
    bargain = bargain_start(member=member, campaign_id=campaign.pk, context=SHOPPER_CONTEXT).bargain
    quote = quote_for_checkout(member=member, items=[(cream, 1)], deal=DealRequest(kind="bargain", ref=bargain.pk))
    assert (quote.payable_amount, quote.shipping_fee) == (5900, 0)
    assert quote.shipping["rules"][0]["name"] == "199 元砍到 0 元 包邮"


@pytest.fixture
def tier_source() -> Iterator[list[WaiverContext]]:
    """A whole-order waiver source like the tiers' free-shipping uses will register."""
    seen: list[WaiverContext] = []

    @shipping_waiver_source("test_tier")
    def _tier(ctx: WaiverContext) -> Iterator[FoundWaiver]:
        seen.append(ctx)
        if ctx.tier == "gold":
            yield FoundWaiver(waiver=ShippingWaiver(rule_id="tier:gold", source="tier"), name="黄金会员包邮")

    yield seen
    shipping_waiver_source_unregister("test_tier")


def test_a_registered_source_plugs_in_and_is_named_only_when_it_was_needed(
    tier_source: list[WaiverContext], tissue: Sku, cookie: Sku, member: Member, shop: ShopSettings
) -> None:
    Member.objects.filter(pk=member.pk).update(tier="gold")
    member.refresh_from_db()
    alone = quote_for_checkout(member=member, items=[(tissue, 1)])
    assert [r["rule_id"] for r in alone.shipping["rules"]] == [f"product:{tissue.product_id}"]  # no use spent
    mixed = quote_for_checkout(member=member, items=[(tissue, 1), (cookie, 1)])
    assert mixed.shipping_fee == 0
    assert {r["rule_id"] for r in mixed.shipping["rules"]} == {f"product:{tissue.product_id}", "tier:gold"}
    assert "黄金会员包邮" in mixed.shipping["reason_label"]
    assert [c.member for c in tier_source] == [member, member]
    assert {sku.code for sku in tier_source[-1].skus} == {"TISSUE", "COOKIE"}


def test_collecting_waivers_costs_no_query(
    tissue: Sku, cookie: Sku, member: Member, shop: ShopSettings, django_assert_num_queries: Any
) -> None:
    priced = quote_for_member(member=member, items=[(tissue, 1), (cookie, 1)])
    with django_assert_num_queries(0):
        shipping = shipping_for_quote(
            q=priced.quote, skus_by_code=priced.input.skus_by_code, member=member, at=priced.input.request.at, shop=shop
        )
    assert shipping.fee == 800


def test_the_cart_quote_api_says_why_shipping_is_free(
    tissue: Sku, member_client: APIClient, shop: ShopSettings
) -> None:
    body = member_client.post("/api/v1/cart/quote", {"items": [{"sku_id": tissue.pk, "qty": 2}]}, format="json").json()
    assert (body["shipping_fee"]["fen"], body["total"]["fen"]) == (0, 3980)
    assert body["shipping"]["free"] is True
    assert body["shipping"]["fee"] == {"fen": 0, "yuan": "0.00"}
    assert body["shipping"]["rules"][0]["name"] == "商品 TISSUE 包邮"


def test_the_checkout_preview_api_carries_the_shipping_breakdown(
    tissue: Sku, member_client: APIClient, shop: ShopSettings
) -> None:
    response = member_client.post(
        "/api/v1/checkout/preview", {"items": [{"sku_id": tissue.pk, "qty": 1}]}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["shipping_fee"], body["shipping"]["reason"], body["shipping"]["fee"]) == (0, "waived", 0)
