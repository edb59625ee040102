"""The shopper's shipping addresses. Someone else's address id answers 404 ``not_found``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from members.api.permissions import IsMember
from members.selectors.addresses import address_list_for_member
from members.services.addresses import address_create, address_delete, address_set_default, address_update


class AddressOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    receiver = serializers.CharField()
    phone = serializers.CharField()
    province = serializers.CharField()
    city = serializers.CharField()
    district = serializers.CharField()
    detail = serializers.CharField()
    is_default = serializers.BooleanField()


_WRITE_ERRORS = error_responses(
    (400, ["invalid_input", "address_invalid", "phone_invalid"]),
    (401, ["not_authenticated"]),
)


class AddressListApi(APIView):
    """All of the shopper's addresses (at most 20, so unpaginated), default first."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="addresses_list",
        tags=["addresses"],
        responses={200: AddressOutputSerializer(many=True), **error_responses((401, ["not_authenticated"]))},
    )
    def get(self, request: Request) -> Response:
        addresses = address_list_for_member(member=request.user)  # type: ignore[arg-type]
        return Response(AddressOutputSerializer(addresses, many=True).data)


class AddressCreateApi(APIView):
    """Add a delivery address; the first one (or one sent with ``is_default``) becomes the default."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AddressCreateInput"  # nested serializers share a class name

        receiver = serializers.CharField(max_length=30)
        phone = serializers.CharField(max_length=20)
        province = serializers.CharField(max_length=30)
        city = serializers.CharField(max_length=30)
        district = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
        detail = serializers.CharField(max_length=200)
        is_default = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        operation_id="addresses_create",
        tags=["addresses"],
        request=InputSerializer,
        responses={201: AddressOutputSerializer, **_WRITE_ERRORS, **error_responses((409, ["address_limit_reached"]))},
    )
    def post(self, request: Request) -> Response:
        serializer = AddressCreateApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = address_create(member=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        return Response(AddressOutputSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressUpdateApi(APIView):
    """Change one of the shopper's addresses (only the fields sent); another shopper's is "not found"."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "AddressUpdateInput"  # nested serializers share a class name

        receiver = serializers.CharField(max_length=30, required=False)
        phone = serializers.CharField(max_length=20, required=False)
        province = serializers.CharField(max_length=30, required=False)
        city = serializers.CharField(max_length=30, required=False)
        district = serializers.CharField(max_length=30, required=False, allow_blank=True)
        detail = serializers.CharField(max_length=200, required=False)
        is_default = serializers.BooleanField(required=False)

    @extend_schema(
        operation_id="addresses_update",
        tags=["addresses"],
        request=InputSerializer,
        responses={
            200: AddressOutputSerializer,
            **_WRITE_ERRORS,
            **error_responses((404, ["not_found"]), (409, ["address_default_required"])),
        },
    )
    def patch(self, request: Request, address_id: int) -> Response:
        serializer = AddressUpdateApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        address = address_update(
            member=request.user,  # type: ignore[arg-type]
            address_id=address_id,
            **serializer.validated_data,
        )
        return Response(AddressOutputSerializer(address).data)


class AddressDeleteApi(APIView):
    """If the default goes, the newest remaining address becomes the default."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="addresses_delete",
        tags=["addresses"],
        responses={204: None, **error_responses((401, ["not_authenticated"]), (404, ["not_found"]))},
    )
    def delete(self, request: Request, address_id: int) -> Response:
        address_delete(member=request.user, address_id=address_id)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class AddressSetDefaultApi(APIView):
    """Make this address the default one used at checkout."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="addresses_set_default",
        tags=["addresses"],
        request=None,
        responses={
            200: AddressOutputSerializer,
            **error_responses((401, ["not_authenticated"]), (404, ["not_found"])),
        },
    )
    def post(self, request: Request, address_id: int) -> Response:
        address = address_set_default(member=request.user, address_id=address_id)  # type: ignore[arg-type]
        return Response(AddressOutputSerializer(address).data)


class AddressCollectionApi(AddressListApi, AddressCreateApi):
    """Routing glue for ``addresses``: GET lists, POST creates (each its own operation above)."""


class AddressItemApi(AddressUpdateApi, AddressDeleteApi):
    """Routing glue for ``addresses/{id}``: PATCH updates, DELETE removes."""
