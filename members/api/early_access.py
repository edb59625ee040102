"""新品优先购: the products the shopper may see before their public launch (F35)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.catalogue import ProductCardSerializer
from mall.api.schema import error_responses
from members.api.permissions import IsMember
from members.models import Member
from members.selectors.early_access import early_access_for_member


class EarlyAccessCardSerializer(ProductCardSerializer):
    class Meta:
        ref_name = "EarlyAccessProduct"

    launch_at = serializers.DateTimeField(help_text="When the product opens to every shopper")


class MemberEarlyAccessListApi(APIView):
    """Products open early to this shopper's segment, soonest launch first (a short list, not paged)."""

    permission_classes = [IsMember]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "EarlyAccessList"

        results = EarlyAccessCardSerializer(many=True)

    @extend_schema(
        operation_id="me_early_access",
        tags=["members"],
        responses={200: OutputSerializer, **error_responses((401, ["not_authenticated"]))},
    )
    def get(self, request: Request) -> Response:
        member: Member = request.user  # type: ignore[assignment]
        cards = early_access_for_member(member=member)
        return Response(self.OutputSerializer({"results": cards}).data)
