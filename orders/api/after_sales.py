"""The shopper's after-sales (P04): what may be asked for an order, photo upload, request, list,
detail with progress, cancel, and the return's carrier and tracking number.

Money is integer fen. Photo URLs are what the media storage gives (a path on this host by
default, absolute when the storage is a cloud bucket).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.pagination import StandardPagination
from mall.api.schema import error_responses
from members.api.permissions import IsMember
from orders.api.common import request_member
from orders.errors import AfterSalePhotoInvalid
from orders.models import AfterSale, AfterSaleKind, AfterSalePhoto, AfterSaleReason, AfterSaleStatus
from orders.selectors.after_sales import after_sale_get_for_member, after_sale_list_for_member
from orders.selectors.cart import MAX_ID
from orders.selectors.orders import order_get_for_member
from orders.services.after_sales import (
    MAX_PHOTOS,
    after_sale_cancel,
    after_sale_options_for_order,
    after_sale_photo_upload,
    after_sale_request,
    after_sale_return_ship,
)

_AUTH = (401, ["not_authenticated"])
_NOT_FOUND = (404, ["after_sale_not_found"])
_THROTTLED = (429, ["throttled"])


def _photo_url(photo: AfterSalePhoto) -> str:
    return photo.image.url if photo.image else ""


class PhotoOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    image = serializers.SerializerMethodField(help_text="the photo's URL as the media storage gives it")

    class Meta:
        ref_name = "AfterSalePhoto"

    def get_image(self, photo: AfterSalePhoto) -> str:
        return _photo_url(photo)


class ChoiceOutputSerializer(serializers.Serializer):
    value = serializers.CharField()
    # The metaclass pops declared fields off the class, so this does not shadow Field.label.
    label = serializers.CharField()  # type: ignore[assignment]

    class Meta:
        ref_name = "AfterSaleChoice"


class StepOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AfterSaleStatus.choices)
    status_display = serializers.SerializerMethodField()
    at = serializers.DateTimeField()
    note = serializers.CharField(allow_blank=True)

    class Meta:
        ref_name = "AfterSaleStep"

    def get_status_display(self, step: dict[str, Any]) -> str:
        return str(AfterSaleStatus(step["status"]).label)


class AfterSaleLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    specs = serializers.DictField(child=serializers.CharField())
    image = serializers.CharField()
    qty = serializers.IntegerField()
    paid_amount = serializers.IntegerField()

    class Meta:
        ref_name = "AfterSaleLine"


class AfterSaleSummaryOutputSerializer(serializers.Serializer):
    no = serializers.CharField()
    order_no = serializers.CharField(source="order.no")
    kind = serializers.ChoiceField(choices=AfterSaleKind.choices)
    kind_display = serializers.CharField(source="get_kind_display")
    status = serializers.ChoiceField(choices=AfterSaleStatus.choices)
    status_display = serializers.CharField(source="get_status_display")
    qty = serializers.IntegerField()
    amount = serializers.IntegerField(help_text="what the units are worth (fen); the refund says what went back")
    line = AfterSaleLineOutputSerializer()
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "AfterSaleSummary"


class AfterSaleDetailOutputSerializer(AfterSaleSummaryOutputSerializer):
    reason = serializers.ChoiceField(choices=AfterSaleReason.choices)
    reason_display = serializers.CharField(source="get_reason_display")
    description = serializers.CharField(allow_blank=True)
    reject_reason = serializers.CharField(allow_blank=True)
    return_carrier = serializers.CharField(allow_blank=True)
    return_tracking_no = serializers.CharField(allow_blank=True)
    refund_amount = serializers.SerializerMethodField(help_text="fen; null until a refund is made")
    photos = PhotoOutputSerializer(many=True)
    history = StepOutputSerializer(many=True, help_text="the steps so far, oldest first")
    can_cancel = serializers.SerializerMethodField()
    can_ship_return = serializers.SerializerMethodField()
    deadline = serializers.SerializerMethodField(help_text="when the current step times out, if it does")

    class Meta:
        ref_name = "AfterSaleDetail"

    def get_refund_amount(self, obj: AfterSale) -> int | None:
        return obj.refund.amount if obj.refund else None

    def get_can_cancel(self, obj: AfterSale) -> bool:
        return obj.status in (AfterSaleStatus.PENDING, AfterSaleStatus.AWAITING_RETURN)

    def get_can_ship_return(self, obj: AfterSale) -> bool:
        return obj.status == AfterSaleStatus.AWAITING_RETURN

    def get_deadline(self, obj: AfterSale) -> str | None:
        if obj.status == AfterSaleStatus.PENDING:
            due = obj.status_changed_at + timedelta(hours=settings.AFTER_SALES_REVIEW_HOURS)
        elif obj.status == AfterSaleStatus.AWAITING_RETURN:
            due = obj.status_changed_at + timedelta(days=settings.AFTER_SALES_RETURN_DAYS)
        else:
            return None
        return serializers.DateTimeField().to_representation(due)


def _detail(after_sale: AfterSale) -> dict[str, Any]:
    return AfterSaleDetailOutputSerializer(after_sale).data


class OptionLineOutputSerializer(serializers.Serializer):
    line = AfterSaleLineOutputSerializer()
    kind = serializers.CharField(help_text="refund_only | return_refund; empty when nothing may be asked")
    max_qty = serializers.IntegerField(help_text="units that may still be asked for")
    open_after_sale_no = serializers.CharField(help_text="the line's open request, if any")

    class Meta:
        ref_name = "AfterSaleOptionLine"


class OptionsOutputSerializer(serializers.Serializer):
    order_no = serializers.CharField()
    lines = OptionLineOutputSerializer(many=True)
    reasons = ChoiceOutputSerializer(many=True)
    max_photos = serializers.IntegerField()

    class Meta:
        ref_name = "AfterSaleOptions"


class AfterSaleOptionsApi(APIView):
    """What the 申请售后 form offers for an order: per line the kind and units, and the reasons."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="after_sales_options",
        tags=["after-sales"],
        responses={200: OptionsOutputSerializer, **error_responses(_AUTH, (404, ["order_not_found"]))},
    )
    def get(self, request: Request, no: str) -> Response:
        order = order_get_for_member(member=request_member(request), no=no)
        data = {
            "order_no": order.no,
            "lines": after_sale_options_for_order(order=order),
            "reasons": [{"value": value, "label": str(label)} for value, label in AfterSaleReason.choices],
            "max_photos": MAX_PHOTOS,
        }
        return Response(OptionsOutputSerializer(data).data)


class AfterSalePhotoUploadApi(APIView):
    """Upload one photo (multipart field ``file``): JPG, PNG or WEBP, at most 5 MB by default."""

    permission_classes = [IsMember]
    parser_classes = [MultiPartParser]
    throttle_action = "after_sale"

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()

        class Meta:
            ref_name = "AfterSalePhotoUploadInput"

    @extend_schema(
        operation_id="after_sales_photo_upload",
        tags=["after-sales"],
        request={"multipart/form-data": InputSerializer},
        responses={
            201: PhotoOutputSerializer,
            **error_responses((400, ["invalid_input", "after_sale_photo_invalid"]), _AUTH, _THROTTLED),
        },
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise AfterSalePhotoInvalid(details={"field": "file"})
        photo = after_sale_photo_upload(member=request_member(request), upload=upload)
        return Response(PhotoOutputSerializer(photo).data, status=status.HTTP_201_CREATED)


class AfterSaleListApi(APIView):
    permission_classes = [IsMember]
    pagination_class = StandardPagination  # documents the answer as the paginated envelope it is

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=AfterSaleStatus.choices, required=False)

        class Meta:
            ref_name = "AfterSaleListFilter"

    @extend_schema(
        operation_id="after_sales_list",
        tags=["after-sales"],
        parameters=[FilterSerializer],
        responses={
            200: AfterSaleSummaryOutputSerializer(many=True),
            **error_responses((400, ["invalid_input"]), _AUTH),
        },
    )
    def get(self, request: Request) -> Response:
        """The shopper's after-sales requests (售后列表), newest first; paginated."""
        filters = AfterSaleListApi.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = after_sale_list_for_member(member=request_member(request), status=filters.validated_data.get("status"))
        paginator = StandardPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AfterSaleSummaryOutputSerializer(page, many=True).data)


class AfterSaleRequestApi(APIView):
    permission_classes = [IsMember]
    throttle_action = "after_sale"

    class InputSerializer(serializers.Serializer):
        order_no = serializers.CharField(max_length=32)
        line_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        qty = serializers.IntegerField(min_value=1, max_value=10_000)
        kind = serializers.ChoiceField(choices=AfterSaleKind.choices)
        reason = serializers.ChoiceField(choices=AfterSaleReason.choices)
        description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
        photo_ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list
        )

        class Meta:
            ref_name = "AfterSaleRequestInput"

    @extend_schema(
        operation_id="after_sales_request",
        tags=["after-sales"],
        request=InputSerializer,
        responses={
            201: AfterSaleDetailOutputSerializer,
            **error_responses(
                (
                    400,
                    [
                        "invalid_input",
                        "after_sale_kind_invalid",
                        "after_sale_line_invalid",
                        "after_sale_photo_invalid",
                        "after_sale_photos_too_many",
                    ],
                ),
                _AUTH,
                (404, ["order_not_found"]),
                (409, ["after_sale_not_allowed", "after_sale_qty_exceeds", "after_sale_open_exists"]),
                _THROTTLED,
            ),
        },
    )
    def post(self, request: Request) -> Response:
        """申请售后: 仅退款 before the goods are received, 退货退款 after; one open request per line."""
        serializer = AfterSaleRequestApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = request_member(request)
        order = order_get_for_member(member=member, no=data["order_no"])
        after_sale = after_sale_request(
            member=member,
            order_id=order.pk,
            line_id=data["line_id"],
            qty=data["qty"],
            kind=data["kind"],
            reason=data["reason"],
            description=data["description"],
            photo_ids=data["photo_ids"],
        )
        detail = after_sale_get_for_member(member=member, no=after_sale.no)
        return Response(_detail(detail), status=status.HTTP_201_CREATED)


class AfterSaleCollectionRoute(AfterSaleListApi, AfterSaleRequestApi):
    """Routing glue for ``after-sales``: GET lists, POST requests (each its own operation above)."""

    throttle_action = ""

    def get_throttles(self) -> list[Any]:
        # Only the request (POST) counts against the after-sales action limit.
        self.throttle_action = "after_sale" if self.request.method == "POST" else ""
        return super().get_throttles()


class AfterSaleDetailApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="after_sales_detail",
        tags=["after-sales"],
        responses={200: AfterSaleDetailOutputSerializer, **error_responses(_AUTH, _NOT_FOUND)},
    )
    def get(self, request: Request, no: str) -> Response:
        """售后详情: state, progress, photos, the return's carrier and tracking number, the refund."""
        return Response(_detail(after_sale_get_for_member(member=request_member(request), no=no)))


class AfterSaleCancelApi(APIView):
    """撤销 a request still waiting for review or for the return. Cancelling twice is harmless."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="after_sales_cancel",
        tags=["after-sales"],
        request=None,
        responses={
            200: AfterSaleDetailOutputSerializer,
            **error_responses(_AUTH, _NOT_FOUND, (409, ["after_sale_status_invalid"])),
        },
    )
    def post(self, request: Request, no: str) -> Response:
        member = request_member(request)
        after_sale = after_sale_get_for_member(member=member, no=no)
        after_sale_cancel(member=member, after_sale_id=after_sale.pk)
        return Response(_detail(after_sale_get_for_member(member=member, no=no)))


class AfterSaleReturnShipApi(APIView):
    """The shopper has sent the goods back: carrier and tracking number."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        carrier = serializers.CharField(max_length=30)
        tracking_no = serializers.CharField(max_length=64)

        class Meta:
            ref_name = "AfterSaleReturnShipInput"

    @extend_schema(
        operation_id="after_sales_return_ship",
        tags=["after-sales"],
        request=InputSerializer,
        responses={
            200: AfterSaleDetailOutputSerializer,
            **error_responses(
                (400, ["invalid_input", "after_sale_return_info_required"]),
                _AUTH,
                _NOT_FOUND,
                (409, ["after_sale_status_invalid"]),
            ),
        },
    )
    def post(self, request: Request, no: str) -> Response:
        serializer = AfterSaleReturnShipApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = request_member(request)
        after_sale = after_sale_get_for_member(member=member, no=no)
        after_sale_return_ship(
            member=member,
            after_sale_id=after_sale.pk,
            carrier=serializer.validated_data["carrier"],
            tracking_no=serializer.validated_data["tracking_no"],
        )
        return Response(_detail(after_sale_get_for_member(member=member, no=no)))
