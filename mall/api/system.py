"""Trivial endpoints: ``ping`` (the benchmark's baseline, same middleware, auth and throttles as
every endpoint) and ``server-time`` (countdowns run on the server's clock, not the phone's)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mall.selectors.catalogue import server_time_data


class PingApi(APIView):
    """A trivial answer for health checks and benchmarks (same authentication and throttles as every endpoint)."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "Ping"  # nested serializers share class names

        ok = serializers.BooleanField()

    @extend_schema(operation_id="ping", tags=["system"], responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class ServerTimeApi(APIView):
    """The server's clock: countdowns run on it, not on the phone's."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "ServerTime"  # nested serializers share class names

        now = serializers.DateTimeField(help_text="ISO 8601 in Asia/Shanghai")
        timestamp_ms = serializers.IntegerField(help_text="Unix epoch milliseconds")

    @extend_schema(operation_id="server_time", tags=["system"], responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(server_time_data())
