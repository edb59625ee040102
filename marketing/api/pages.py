"""Campaign pages for the mini-program (F26): the whole page in one request.

``GET pages/{key}`` answers the published page by its address (slug, or id) and ``GET pages/home``
the shop's home page, each with every block's live data resolved on the server (products with
their offers, the flash slot with its countdown, coupons with what is left …). Blocks carry
their ``settings`` (what the merchant chose: ids, titles, layout) and ``data`` (live); the
shape of ``data`` per ``type`` is listed below. Money is integer fen.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.catalogue import ServerTimeSerializer
from mall.api.schema import error_responses
from marketing.pages.blocks import BLOCKS
from marketing.selectors.pages import page_published_data

BLOCK_DATA_HELP = """Live data by block type:
banner {image, title, target{type, id|slug}|null};
countdown {title, state upcoming|live|ended, state_label, target_at, target_ms};
product_grid {title, columns, products[product card]};
flash_sale {title, available, slot{id, kind, title, state, state_label, countdown_ms, starts_at_ms, ends_at_ms,
items[{id, product_id, title, image, price, flash_price, sold_percent, state, state_label}]}|null};
group_buy / bargain {title, campaigns[{id, name, product_id, title, image, lowest_price|start_price, floor_price,
list_price, state, state_label}]};
coupon {title, coupons[{id, name, summary, threshold, off, remaining, state claimable|sold_out|ended|unavailable,
state_label}]};
full_reduction {title, available, promotion{id, name, tiers[{threshold, off, text}], state, state_label}|null};
rich_text {title, image, paragraphs[]};
guide {title, items[{kind heading|text|image|product, text?, image?, product?{product card, stock, in_stock}}]};
video {title, url, poster}; nav_icons {columns, items[{title, icon, target}]};
checkin_entry {title, subtitle, enabled, points}; divider {style, height}."""


class PageBlockSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CampaignPageBlock"

    key = serializers.CharField(help_text="stable id of the block within the page")
    type = serializers.ChoiceField(choices=list(BLOCKS), help_text="the block type (one component each)")
    settings = serializers.DictField(help_text="what the merchant set: ids, titles, layout")
    # the JSON key is "data"; DRF moves declared fields off the class, so .data stays the property
    data = serializers.DictField(help_text=BLOCK_DATA_HELP)  # type: ignore[assignment]


class PageOutputSerializer(serializers.Serializer):
    class Meta:
        ref_name = "CampaignPage"

    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    share_title = serializers.CharField(help_text="the share card's title")
    is_home = serializers.BooleanField()
    version = serializers.IntegerField(help_text="the published version's number")
    blocks = PageBlockSerializer(many=True)
    server_time = ServerTimeSerializer(help_text="for the countdowns (never cached)")


class PageDetailApi(APIView):
    """A published campaign page by its address (or id), every block resolved; 404 ``page_not_found``."""

    OutputSerializer = PageOutputSerializer

    @extend_schema(
        operation_id="pages_retrieve",
        tags=["pages"],
        parameters=[OpenApiParameter("key", str, OpenApiParameter.PATH, description="the page's address or id")],
        responses={200: OutputSerializer, **error_responses((404, ["page_not_found"]))},
    )
    def get(self, request: Request, key: str) -> Response:
        return Response(page_published_data(key=key))


class HomePageApi(APIView):
    """The shop's published home page (F26); 404 ``page_not_found`` when the merchant has none
    (the mini-program then shows the standard home screen, ``GET home``)."""

    OutputSerializer = PageOutputSerializer

    @extend_schema(
        operation_id="pages_home_retrieve",
        tags=["pages"],
        responses={200: OutputSerializer, **error_responses((404, ["page_not_found"]))},
    )
    def get(self, request: Request) -> Response:
        return Response(page_published_data(key="home"))
