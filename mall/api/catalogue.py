"""The shop's catalogue for the mini-program: category tree, product list and page, home screen.

Money is integer fen. Image fields are URLs as the media storage gives them (a path on this
host by default, absolute when MEDIA_URL points at a CDN). Detail, home and the tree are
served from the selectors' short-lived cache as plain dicts; the OutputSerializers here
document (and the tests check) their shape.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from mall.api.pagination import StandardPagination
from mall.api.rendered import held_json_response
from mall.api.schema import error_responses
from mall.selectors.catalogue import (
    PRODUCT_SORTS,
    category_tree,
    home_screen_entry,
    product_detail_entry,
    product_page_data,
    server_time_data,
)


class CategoryNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    icon = serializers.CharField(allow_blank=True)
    children = serializers.ListField(child=serializers.DictField(), help_text="Nested nodes of the same shape")


class LimitedDiscountSerializer(serializers.Serializer):
    """F11: the running 限时折扣 of a product; count down to ``ends_at`` from ``server_time``."""

    promotion_id = serializers.IntegerField()
    name = serializers.CharField()
    rate = serializers.CharField(help_text='"0.8" = 8折')
    price = serializers.IntegerField(help_text="fen: the lowest discounted SKU price")
    sku_id = serializers.IntegerField(help_text="the SKU that price belongs to")
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)


class GroupBuyOfferSerializer(serializers.Serializer):
    """F03: the product's running 拼团; open or join a group from ``group-buys/{campaign_id}``."""

    campaign_id = serializers.IntegerField()
    name = serializers.CharField()
    group_size = serializers.IntegerField()
    price = serializers.IntegerField(help_text="fen: the lowest group price")
    leader_price = serializers.IntegerField(allow_null=True, help_text="fen: the lowest leader price, if any")
    list_price = serializers.IntegerField(help_text="fen: that SKU's list price")
    free_shipping = serializers.BooleanField(help_text="包邮: orders through this offer pay no shipping")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class BargainOfferSerializer(serializers.Serializer):
    """F05: the product's running 砍价; start one at ``bargains/campaigns/{campaign_id}/start``."""

    campaign_id = serializers.IntegerField()
    name = serializers.CharField()
    sku_id = serializers.IntegerField()
    start_price = serializers.IntegerField(help_text="fen")
    floor_price = serializers.IntegerField(help_text="fen; 0 = free")
    free_shipping = serializers.BooleanField(help_text="包邮: orders through this offer pay no shipping")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class FlashSaleOfferSerializer(serializers.Serializer):
    """The product's live or next (within a day) flash item; the item page has the live stock."""

    class Meta:
        ref_name = "FlashSaleOffer"

    type = serializers.ChoiceField(choices=["flash_sale", "flash_release"], help_text="秒杀 slot or 限量发售")
    ref = serializers.IntegerField(help_text="flash item id: GET/POST flash/items/{ref}")
    sku_id = serializers.IntegerField()
    name = serializers.CharField()
    kind_label = serializers.CharField(help_text="秒杀 / 限量发售")
    state = serializers.ChoiceField(choices=["upcoming", "live"])
    state_label = serializers.CharField()
    price = serializers.IntegerField(help_text="flash price in fen")
    free_shipping = serializers.BooleanField(help_text="包邮: orders through this offer pay no shipping")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class ServerTimeSerializer(serializers.Serializer):
    class Meta:
        ref_name = "ServerTimeNow"  # the /server-time endpoint has its own

    now = serializers.DateTimeField(help_text="ISO 8601 in Asia/Shanghai")
    timestamp_ms = serializers.IntegerField(help_text="Unix epoch milliseconds")


class ProductCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    subtitle = serializers.CharField(allow_blank=True)
    image = serializers.CharField(allow_blank=True)
    min_price = serializers.IntegerField(help_text="Lowest active SKU price in fen")
    sales_count = serializers.IntegerField()
    tags = serializers.ListField(child=serializers.CharField())
    is_on_shelf = serializers.BooleanField()
    free_shipping = serializers.BooleanField(help_text="包邮: the product ships free at any price")
    limited_discount = LimitedDiscountSerializer(allow_null=True)
    group_buy = GroupBuyOfferSerializer(allow_null=True)
    bargain = BargainOfferSerializer(allow_null=True)
    flash_sale = FlashSaleOfferSerializer(allow_null=True)


class CategoryTreeApi(APIView):
    """Active categories as a tree (one query, cached briefly)."""

    OutputSerializer = CategoryNodeSerializer

    @extend_schema(operation_id="categories_tree", tags=["catalogue"], responses={200: OutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(category_tree())


class ProductListApi(APIView):
    """On-shelf products: by category (with its subcategories), keyword, tag; sorted; paginated."""

    pagination_class = StandardPagination

    class FilterSerializer(serializers.Serializer):
        category = serializers.IntegerField(required=False, min_value=1)
        q = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
        tag = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
        sort = serializers.ChoiceField(choices=list(PRODUCT_SORTS), required=False, default="sales")
        page = serializers.IntegerField(required=False, min_value=1, default=1, help_text="1-based page number")
        page_size = serializers.IntegerField(
            required=False,
            min_value=1,
            default=StandardPagination.page_size,
            help_text=f"Items per page (at most {StandardPagination.max_page_size})",
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProductListPage"

        count = serializers.IntegerField()
        next = serializers.CharField(allow_null=True)
        previous = serializers.CharField(allow_null=True)
        results = ProductCardSerializer(many=True)
        server_time = ServerTimeSerializer(help_text="for the cards' countdowns (never cached)")

    @extend_schema(
        operation_id="products_list",
        tags=["catalogue"],
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses((400, ["invalid_input"]), (404, ["not_found"]))},
    )
    def get(self, request: Request) -> Response:
        filters = ProductListApi.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        args = filters.validated_data
        page, page_size = args["page"], min(args["page_size"], StandardPagination.max_page_size)
        data = product_page_data(
            category_id=args.get("category"),
            q=args["q"],
            tag=args["tag"],
            sort=args["sort"],
            page=page,
            page_size=page_size,
        )
        # Same envelope as StandardPagination; the links are built per request, the page is cached.
        url = request.build_absolute_uri()
        has_next = page * page_size < data["count"]
        previous = None
        if page > 1:
            previous = remove_query_param(url, "page") if page == 2 else replace_query_param(url, "page", page - 1)
        return Response(
            {
                "count": data["count"],
                "next": replace_query_param(url, "page", page + 1) if has_next else None,
                "previous": previous,
                "results": data["results"],
                "server_time": server_time_data(),
            }
        )


class ProductDetailApi(APIView):
    """The product page: gallery, SKUs, the spec matrix for the picker; 404 ``not_found`` if unknown."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ProductDetail"  # nested serializers share class names

        class SkuSerializer(serializers.Serializer):
            class Meta:
                ref_name = "ProductDetailSku"  # nested serializers share class names

            id = serializers.IntegerField()
            code = serializers.CharField()
            specs = serializers.DictField(child=serializers.CharField())
            price = serializers.IntegerField(help_text="fen")
            stock = serializers.IntegerField()

        class SpecMatrixSerializer(serializers.Serializer):
            class Meta:
                ref_name = "ProductSpecMatrix"  # nested serializers share class names

            class SpecSerializer(serializers.Serializer):
                class Meta:
                    ref_name = "ProductSpec"  # nested serializers share class names

                name = serializers.CharField()
                values = serializers.ListField(child=serializers.CharField())

            class CombinationSerializer(serializers.Serializer):
                class Meta:
                    ref_name = "ProductSpecCombination"  # nested serializers share class names

                values = serializers.ListField(child=serializers.CharField(), help_text="In spec_names order")
                sku_id = serializers.IntegerField()
                price = serializers.IntegerField()
                stock = serializers.IntegerField()

            specs = SpecSerializer(many=True)
            combinations = CombinationSerializer(many=True)

        class CategorySerializer(serializers.Serializer):
            class Meta:
                ref_name = "ProductDetailCategory"  # nested serializers share class names

            id = serializers.IntegerField()
            name = serializers.CharField()

        id = serializers.IntegerField()
        title = serializers.CharField()
        subtitle = serializers.CharField(allow_blank=True)
        description = serializers.CharField(allow_blank=True)
        image = serializers.CharField(allow_blank=True)
        images = serializers.ListField(child=serializers.CharField())
        min_price = serializers.IntegerField()
        spec_names = serializers.ListField(child=serializers.CharField())
        skus = SkuSerializer(many=True)
        spec_matrix = SpecMatrixSerializer()
        tags = serializers.ListField(child=serializers.CharField())
        category = CategorySerializer()
        is_on_shelf = serializers.BooleanField()
        free_shipping = serializers.BooleanField(help_text="包邮: the product ships free at any price")
        is_consumable = serializers.BooleanField()
        replenish_cycle_days = serializers.IntegerField(allow_null=True)
        sales_count = serializers.IntegerField()
        limited_discount = LimitedDiscountSerializer(allow_null=True)
        group_buy = GroupBuyOfferSerializer(allow_null=True)
        bargain = BargainOfferSerializer(allow_null=True)
        flash_sale = FlashSaleOfferSerializer(allow_null=True)
        server_time = ServerTimeSerializer(help_text="for the countdown (never cached)")

    @extend_schema(
        operation_id="products_retrieve",
        tags=["catalogue"],
        responses={200: OutputSerializer, **error_responses((404, ["not_found"]))},
    )
    def get(self, request: Request, product_id: int) -> HttpResponse:
        # The token's shopper id (blocked shoppers are refused at authentication): no row read.
        member_id = request.user.pk if getattr(request.user, "is_authenticated", False) else None
        entry = product_detail_entry(product_id=product_id, member_id=member_id)
        return held_json_response(entry, {"server_time": server_time_data()})


class MarketingCentreEntrySerializer(serializers.Serializer):
    class Meta:
        ref_name = "MarketingCentreEntry"

    type = serializers.CharField(help_text="promotion | coupon | flash | group | bargain … (the tool)")
    id = serializers.IntegerField()
    kind = serializers.CharField(required=False, help_text="the tool's own sub-type, e.g. limited_discount")
    title = serializers.CharField()
    subtitle = serializers.CharField(allow_blank=True)
    start_at = serializers.DateTimeField(allow_null=True)
    end_at = serializers.DateTimeField(allow_null=True)
    product_id = serializers.IntegerField(required=False)
    path = serializers.CharField(required=False, help_text="a mini-program page to open, when not the tool's own")


class MarketingCentreSerializer(serializers.Serializer):
    class Meta:
        ref_name = "MarketingCentre"

    ongoing = MarketingCentreEntrySerializer(many=True)
    upcoming = MarketingCentreEntrySerializer(many=True)


class HomeScreenApi(APIView):
    """The whole first screen in one request (F40): banners, top categories, hot, new, server time."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "HomeScreen"  # nested serializers share class names

        class BannerSerializer(serializers.Serializer):
            class Meta:
                ref_name = "HomeBanner"  # nested serializers share class names

            product_id = serializers.IntegerField()
            title = serializers.CharField()
            image = serializers.CharField(allow_blank=True)

        class CategorySerializer(serializers.Serializer):
            class Meta:
                ref_name = "HomeCategory"  # nested serializers share class names

            id = serializers.IntegerField()
            name = serializers.CharField()
            icon = serializers.CharField(allow_blank=True)

        banners = BannerSerializer(many=True)
        categories = CategorySerializer(many=True)
        hot = ProductCardSerializer(many=True)
        new = ProductCardSerializer(many=True)
        server_time = serializers.DateTimeField()
        server_time_ms = serializers.IntegerField(help_text="Unix epoch milliseconds")
        marketing_center = MarketingCentreSerializer(help_text="F46: 正在进行 / 即将开始 (split again on server time)")
        page = serializers.DictField(
            allow_null=True,
            help_text="F26: the merchant's published home page, the shape of GET pages/{key} without server_time; "
            "null when none is published (then the standard first screen above is shown)",
        )

    @extend_schema(operation_id="home_retrieve", tags=["catalogue"], responses={200: OutputSerializer})
    def get(self, request: Request) -> HttpResponse:
        clock = server_time_data()
        return held_json_response(
            home_screen_entry(), {"server_time": clock["now"], "server_time_ms": clock["timestamp_ms"]}
        )
