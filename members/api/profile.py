"""GET/PATCH me: the signed-in shopper's profile. openid and session_key never leave the server."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from members.api.permissions import IsMember
from members.errors import AvatarInvalid
from members.models import Member
from members.selectors.members import MemberProfile, member_profile
from members.services.profile import member_avatar_upload, member_phone_bind_wechat, member_update_profile


class MemberProfileOutputSerializer(serializers.Serializer):
    """The profile shape shared by ``me`` and the login responses."""

    id = serializers.IntegerField(source="member.id")
    nickname = serializers.CharField(source="member.nickname")
    avatar_url = serializers.CharField(source="member.avatar_url")
    phone = serializers.CharField(source="member.phone")
    birthday = serializers.DateField(source="member.birthday", allow_null=True)
    tier = serializers.CharField(source="member.tier")
    invite_code = serializers.CharField(source="member.invite_code")
    points_balance = serializers.IntegerField()
    created_at = serializers.DateTimeField(source="member.created_at")


def profile_data(profile: MemberProfile) -> dict:
    return dict(MemberProfileOutputSerializer(profile).data)


class MemberProfileGetApi(APIView):
    """The signed-in shopper's profile: nickname, avatar, phone, birthday, tier, invite code and points balance."""

    permission_classes = [IsMember]

    @extend_schema(
        operation_id="me_get",
        tags=["members"],
        responses={200: MemberProfileOutputSerializer, **error_responses((401, ["not_authenticated"]))},
    )
    def get(self, request: Request) -> Response:
        member: Member = request.user  # type: ignore[assignment]
        return Response(profile_data(member_profile(member=member)))


class MemberProfileUpdateApi(APIView):
    """Birthday can be set once; phone must be a mainland mobile; empty phone/avatar clears it."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "MemberProfileUpdateInput"  # nested serializers share a class name

        nickname = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
        avatar_url = serializers.CharField(required=False, allow_blank=True)
        phone = serializers.CharField(required=False, allow_blank=True)
        birthday = serializers.DateField(required=False)

    @extend_schema(
        operation_id="me_update",
        tags=["members"],
        request=InputSerializer,
        responses={
            200: MemberProfileOutputSerializer,
            **error_responses(
                (400, ["invalid_input", "nickname_invalid", "phone_invalid", "avatar_url_invalid", "birthday_invalid"]),
                (401, ["not_authenticated"]),
                (409, ["birthday_already_set"]),
            ),
        },
    )
    def patch(self, request: Request) -> Response:
        serializer = MemberProfileUpdateApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = member_update_profile(member=request.user, **serializer.validated_data)  # type: ignore[arg-type]
        return Response(profile_data(member_profile(member=member)))


class MemberAvatarUploadApi(APIView):
    """Upload the avatar chosen with WeChat's chooseAvatar (multipart field ``file``): JPG, PNG or WEBP,
    at most 2 MB. The member's ``avatar_url`` points at the stored picture from then on."""

    permission_classes = [IsMember]
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()

        class Meta:
            ref_name = "MemberAvatarUploadInput"

    @extend_schema(
        operation_id="me_avatar_upload",
        tags=["members"],
        request={"multipart/form-data": InputSerializer},
        responses={
            201: MemberProfileOutputSerializer,
            **error_responses((400, ["invalid_input", "avatar_invalid"]), (401, ["not_authenticated"])),
        },
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise AvatarInvalid(details={"field": "file"})
        member = member_avatar_upload(member=request.user, upload=upload)  # type: ignore[arg-type]
        return Response(profile_data(member_profile(member=member)), status=status.HTTP_201_CREATED)


class MemberPhoneBindWechatApi(APIView):
    """Bind the phone number the shopper shared with the ``getPhoneNumber`` button: the button's
    ``code`` is exchanged with WeChat for the verified number, which must belong to this mini-program."""

    permission_classes = [IsMember]

    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=128)

        class Meta:
            ref_name = "MemberPhoneBindWechatInput"

    @extend_schema(
        operation_id="me_phone_bind_wechat",
        tags=["members"],
        request=InputSerializer,
        responses={
            200: MemberProfileOutputSerializer,
            **error_responses(
                (400, ["invalid_input", "phone_code_invalid", "phone_watermark_mismatch", "phone_invalid"]),
                (401, ["not_authenticated"]),
                (429, ["wechat_rate_limited"]),
                (503, ["wechat_unavailable"]),
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = MemberPhoneBindWechatApi.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = member_phone_bind_wechat(member=request.user, code=serializer.validated_data["code"])  # type: ignore[arg-type]
        return Response(profile_data(member_profile(member=member)))


class MemberMeApi(MemberProfileGetApi, MemberProfileUpdateApi):
    """Routing glue: ``me`` answers GET and PATCH on one path, each verb being its own operation above."""
