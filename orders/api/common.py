"""Small pieces shared by the orders API modules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from mall.api.input import validated_input
from marketing.services.deals import DealRequest, deal_request_parse
from members.authentication import unwrapped_member
from members.models import Member
from orders.selectors.cart import MAX_ID, MAX_QTY_PER_LINE


def request_member(request: Request) -> Member:
    """The signed-in shopper (views use ``IsMember``, so this is always a Member): the row itself,
    not the token's lazy stand-in (issue 12: every attribute read through the stand-in is a
    Python call; a checkout preview made ten of them). It is the same object, so what a view sets
    on it (the wallet read with it) is seen either way."""
    member = unwrapped_member(request.user)
    assert isinstance(member, Member)  # noqa: S101 - guaranteed by IsMember; narrows the type
    return member


@extend_schema_field(
    {
        "oneOf": [{"type": "integer", "minimum": 0, "maximum": 100_000_000}, {"type": "string", "enum": ["max"]}],
        "description": 'Points to use: a number, or "max" for as many as allowed.',
    }
)
class PointsField(serializers.Field):
    """A non-negative number of points, or "max"."""

    default_error_messages = {"invalid": 'Expected a non-negative integer or "max".'}

    def to_internal_value(self, data: Any) -> int | str:
        if data == "max":
            return "max"
        if isinstance(data, bool) or not isinstance(data, int) or not 0 <= data <= 100_000_000:
            self.fail("invalid")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class ItemInputSerializer(serializers.Serializer):
    sku_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    qty = serializers.IntegerField(min_value=1, max_value=MAX_QTY_PER_LINE)

    class Meta:
        ref_name = "CheckoutItemInput"


class DealInputSerializer(serializers.Serializer):
    """Buy through a marketing tool: ``kind`` names it, ``ref`` its campaign (or group), ``params`` its options."""

    kind = serializers.CharField(
        max_length=16, help_text="flash | group | bargain | live_fan (the tools this shop runs)"
    )
    ref = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    params = serializers.DictField(required=False, default=dict, help_text="the tool's options, e.g. {group_id}")

    class Meta:
        ref_name = "DealInput"


class CheckoutInputSerializer(serializers.Serializer):
    """Fields shared by the preview and the order placement."""

    items = serializers.ListField(child=ItemInputSerializer(), required=False, min_length=1, max_length=50)
    coupon_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list, max_length=10
    )
    points = PointsField(required=False, default=0)
    deal = DealInputSerializer(
        required=False, allow_null=True, default=None, help_text="one line of items bought through a marketing tool"
    )

    def deal_request(self) -> DealRequest | None:
        """The validated ``deal`` as the tools' request (an unknown kind is ``deal_invalid``)."""
        return checkout_deal(self.validated_data)

    def items_tuples(self) -> list[tuple[int, int]] | None:
        """``None`` when no items were sent: checkout buys the selected cart rows."""
        return checkout_items(self.validated_data)


def checkout_input_parse(serializer_class: type[CheckoutInputSerializer], data: Any) -> dict[str, Any]:
    """The checkout body's ``validated_data``: a well-formed JSON body through the serializer's
    compiled parser, anything else through the serializer itself (its errors, word for word).
    Issue 12: the serializer's per-request field copies were ~0.3 ms of the preview's CPU."""
    return validated_input(serializer_class, data)


def checkout_deal(validated: Mapping[str, Any]) -> DealRequest | None:
    """The validated ``deal`` as the tools' request (an unknown kind is ``deal_invalid``)."""
    return deal_request_parse(validated.get("deal"))


def checkout_items(validated: Mapping[str, Any]) -> list[tuple[int, int]] | None:
    """``None`` when no items were sent: checkout buys the selected cart rows."""
    items = validated.get("items")
    return None if items is None else [(i["sku_id"], i["qty"]) for i in items]
