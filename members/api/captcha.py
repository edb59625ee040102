"""The slider captcha for the mini-program (F45): get a puzzle, answer it, get a pass.

After a 403 ``captcha_required`` (``details.action`` names the action), the client asks for a
puzzle for that action, shows the background with the piece at ``piece_y`` on the left,
records the drag as ``[[x, y, t_ms], …]`` (x of the piece's left edge from its start, y of
the finger, t in milliseconds) and sends the piece's final x with the trail. A passing drag
returns a pass: the client repeats the refused request once with it in ``X-Captcha-Pass``.
Each puzzle takes one attempt and each pass one request; both live two minutes.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.api.schema import error_responses
from members.api.permissions import IsMember
from members.captcha import MAX_POINTS
from members.models import GUARDED_ACTIONS, Member
from members.services.captcha import captcha_create, captcha_verify


def _member(request: Request) -> Member:
    member = request.user
    assert isinstance(member, Member)  # noqa: S101 - guaranteed by IsMember; narrows the type
    return member


class CaptchaCreateApi(APIView):
    """A new puzzle for one action; the answer stays on the server."""

    permission_classes = [IsMember]
    throttle_action = "captcha"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CaptchaCreateInput"

        action = serializers.ChoiceField(choices=list(GUARDED_ACTIONS), help_text="details.action of captcha_required")

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CaptchaChallenge"

        id = serializers.CharField()
        background = serializers.CharField(help_text="PNG data URL, the gap darkened")
        piece = serializers.CharField(help_text="PNG data URL of the piece (transparent outside it)")
        piece_y = serializers.IntegerField(help_text="top of the piece on the background, px")
        piece_size = serializers.IntegerField(help_text="the piece image is piece_size × piece_size px")
        width = serializers.IntegerField()
        height = serializers.IntegerField()
        expires_in = serializers.IntegerField(help_text="seconds")

    @extend_schema(
        operation_id="captcha_create",
        tags=["captcha"],
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            **error_responses((400, ["invalid_input"]), (401, ["not_authenticated"]), (429, ["rate_limited"])),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge = captcha_create(member=_member(request), action=serializer.validated_data["action"])
        body = {
            "id": challenge.id,
            "background": challenge.background,
            "piece": challenge.piece,
            "piece_y": challenge.piece_y,
            "piece_size": challenge.piece_size,
            "width": challenge.width,
            "height": challenge.height,
            "expires_in": challenge.expires_in,
        }
        return Response(self.OutputSerializer(body).data, status=status.HTTP_201_CREATED)


class CaptchaVerifyApi(APIView):
    """The one attempt at a puzzle: a single-use pass bound to this shopper and the action."""

    permission_classes = [IsMember]
    throttle_action = "captcha"

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CaptchaVerifyInput"

        id = serializers.RegexField(r"^[A-Za-z0-9_-]{1,64}$", help_text="id of the puzzle")
        x = serializers.FloatField(min_value=-1000, max_value=10000, help_text="the piece's final left edge, px")
        trail = serializers.ListField(
            child=serializers.ListField(
                child=serializers.FloatField(min_value=-100_000, max_value=1e13), min_length=3, max_length=3
            ),
            max_length=MAX_POINTS,
            help_text="[[x, y, t_ms], …] from the touch events of the drag",
        )

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CaptchaPass"

        captcha_pass = serializers.CharField(help_text="send once as the X-Captcha-Pass header")
        action = serializers.CharField()
        expires_in = serializers.IntegerField(help_text="seconds")

    @extend_schema(
        operation_id="captcha_verify",
        tags=["captcha"],
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            **error_responses(
                (400, ["invalid_input", "captcha_expired", "captcha_failed"]),
                (401, ["not_authenticated"]),
                (429, ["rate_limited"]),
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        granted = captcha_verify(member=_member(request), challenge_id=data["id"], x=data["x"], trail=data["trail"])
        body = {"captcha_pass": granted.token, "action": granted.action, "expires_in": granted.expires_in}
        return Response(self.OutputSerializer(body).data)
