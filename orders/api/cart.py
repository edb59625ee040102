"""The shopper's cart: view, add, change, remove. Someone else's row answers 404."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from members.api.permissions import IsMember
from orders.api.common import request_member
from orders.selectors.cart import MAX_ID, MAX_QTY_PER_LINE, cart_for_member, cart_line_view
from orders.services.cart import cart_item_add, cart_item_remove, cart_item_update


class CartLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    title = serializers.CharField()
    image = serializers.CharField()
    specs = serializers.DictField(child=serializers.CharField())
    price = serializers.IntegerField(help_text="fen")
    qty = serializers.IntegerField()
    selected = serializers.BooleanField()
    stock = serializers.IntegerField()
    available = serializers.BooleanField(help_text="active, on the shelf and in stock")


_AUTH = (401, ["not_authenticated"])


class CartGetApi(APIView):
    """The cart with each row's stock and availability, and a summary of the selected rows."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class SummarySerializer(serializers.Serializer):
            selected_qty = serializers.IntegerField()
            goods_amount = serializers.IntegerField(help_text="fen, selected and available rows")

            class Meta:
                ref_name = "CartSummaryOutput"

        items = CartLineOutputSerializer(many=True)
        summary = SummarySerializer()

        class Meta:
            ref_name = "CartOutput"

    @extend_schema(operation_id="cart_get", tags=["cart"], responses={200: OutputSerializer, **error_responses(_AUTH)})
    def get(self, request: Request) -> Response:
        cart = cart_for_member(member=request_member(request))
        data = {
            "items": CartLineOutputSerializer(cart.items, many=True).data,
            "summary": {"selected_qty": cart.selected_qty, "goods_amount": cart.goods_amount},
        }
        return Response(data)


class CartItemAddApi(APIView):
    """Add units of a SKU; adds to an existing row; capped at 99 per row and at the stock."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        sku_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        qty = serializers.IntegerField(min_value=1, max_value=MAX_QTY_PER_LINE, default=1)

        class Meta:
            ref_name = "CartItemAddInput"

    @extend_schema(
        operation_id="cart_items_add",
        tags=["cart"],
        request=InputSerializer,
        responses={
            201: CartLineOutputSerializer,
            **error_responses(
                (400, ["invalid_input", "invalid_qty", "sku_not_found"]),
                _AUTH,
                (409, ["sku_unavailable", "stock_insufficient"]),
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = CartItemAddApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = cart_item_add(member=request_member(request), **serializer.validated_data)
        return Response(CartLineOutputSerializer(cart_line_view(item)).data, status=status.HTTP_201_CREATED)


class CartItemUpdateApi(APIView):
    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        qty = serializers.IntegerField(min_value=1, max_value=MAX_QTY_PER_LINE, required=False)
        selected = serializers.BooleanField(required=False)

        class Meta:
            ref_name = "CartItemUpdateInput"

    @extend_schema(
        operation_id="cart_items_update",
        tags=["cart"],
        request=InputSerializer,
        responses={
            200: CartLineOutputSerializer,
            **error_responses(
                (400, ["invalid_input", "invalid_qty"]),
                _AUTH,
                (404, ["cart_item_not_found"]),
                (409, ["stock_insufficient"]),
            ),
        },
    )
    def patch(self, request: Request, item_id: int) -> Response:
        """Change a row's quantity (capped like add) and/or whether it is selected for checkout."""
        serializer = CartItemUpdateApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = cart_item_update(member=request_member(request), item_id=item_id, **serializer.validated_data)
        return Response(CartLineOutputSerializer(cart_line_view(item)).data)


class CartItemRemoveApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="cart_items_remove",
        tags=["cart"],
        responses={204: None, **error_responses(_AUTH, (404, ["cart_item_not_found"]))},
    )
    def delete(self, request: Request, item_id: int) -> Response:
        """Remove a row from the cart."""
        cart_item_remove(member=request_member(request), item_id=item_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CartItemRoute(CartItemUpdateApi, CartItemRemoveApi):
    """Routing glue for ``cart/items/{id}``: PATCH updates, DELETE removes (each its own operation)."""
