"""OpenAPI helpers: every endpoint declares its error responses with the shared error body."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The one error body of the API."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. stock_insufficient")
    message = serializers.CharField(help_text="Human message (zh-hans by default, en via Accept-Language)")
    details = serializers.JSONField(help_text="Extra data about the error")


_DEFAULT_DESCRIPTIONS = {
    400: "Bad input",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict with the current state",
    429: "Rate limited",
    503: "Upstream unavailable",
}


def error_responses(*codes_by_status: tuple[int, list[str]] | int) -> dict[int, OpenApiResponse]:
    """``error_responses((400, ["invalid_input"]), (409, ["stock_insufficient"]), 401)`` → schema responses."""
    result: dict[int, OpenApiResponse] = {}
    for item in codes_by_status:
        status, codes = (item, []) if isinstance(item, int) else item
        description = _DEFAULT_DESCRIPTIONS.get(status, "Error")
        if codes:
            description = f"{description}: " + ", ".join(f"`{c}`" for c in codes)
        examples = [OpenApiExample(c, value={"code": c, "message": "…", "details": {}}) for c in codes]
        result[status] = OpenApiResponse(response=ErrorSerializer, description=description, examples=examples)
    return result
