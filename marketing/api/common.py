"""Small pieces shared by this app's API modules."""

from __future__ import annotations

from collections.abc import Collection, MutableMapping

from rest_framework import serializers
from rest_framework.request import Request

from mall.models import Sku
from members.models import Member
from orders.selectors.cart import MAX_ID, MAX_QTY_PER_LINE
from orders.selectors.checkout import checkout_lines_resolve


def member_of(request: Request) -> Member:
    """The signed-in shopper (views use ``IsMember``, so this is always a Member)."""
    member = request.user
    assert isinstance(member, Member)  # noqa: S101 - guaranteed by IsMember; narrows the type
    return member


def optional_member(request: Request) -> Member | None:
    member = request.user
    return member if isinstance(member, Member) and not member.is_blocked else None


class ItemInputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "MarketingItemInput"

    sku_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    qty = serializers.IntegerField(min_value=1, max_value=MAX_QTY_PER_LINE)


class ItemsInputSerializer(serializers.Serializer):
    """``items`` to price; leave it out to price the selected cart rows."""

    items = serializers.ListField(child=ItemInputSerializer(), required=False, min_length=1, max_length=50)

    def items_tuples(self) -> list[tuple[int, int]] | None:
        items = self.validated_data.get("items")
        return None if items is None else [(i["sku_id"], i["qty"]) for i in items]


def resolve_items(
    *,
    member: Member,
    serializer: ItemsInputSerializer,
    gift_codes: Collection[str] = (),
    gifts: MutableMapping[str, Sku] | None = None,
) -> list[tuple[Sku, int]]:
    """The same SKU checks as checkout (merged, sellable), without the stock check: a quote only.
    ``gift_codes`` / ``gifts``: the gift SKUs read by the same query, as checkout does."""
    return checkout_lines_resolve(
        member=member, items=serializer.items_tuples(), check_stock=False, gift_codes=gift_codes, gifts=gifts
    )
