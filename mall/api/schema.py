"""OpenAPI helpers: every endpoint declares its error responses with the shared error body."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
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


class OperationSchema(AutoSchema):
    """Each operation is described by the API class that implements it.

    A path served by several operations is routed by a class that inherits one ``APIView`` per
    verb (``CartItemRoute(CartItemUpdateApi, CartItemRemoveApi)``); its own docstring is routing
    notes for us, so each verb takes the docstring of the class that defines its handler.
    """

    def get_description(self) -> str:  # type: ignore[override]
        method = self.method.lower()
        handler_doc = get_doc(getattr(self.view, method, None))
        if handler_doc:
            return handler_doc
        owner = next((cls for cls in type(self.view).__mro__ if method in vars(cls)), type(self.view))
        return get_doc(owner)


_ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _example(code: str) -> dict[str, Any]:
    return {"value": {"code": code, "message": "…", "details": {}}, "summary": code}


def declare_request_body_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular hook: every operation taking a body may answer 400 ``request_too_deep``
    and 413 ``request_too_large`` (mall.api.parsers), whatever the view declares."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault(
                "413",
                {
                    "content": {
                        "application/json": {
                            "schema": _ERROR_REF,
                            "examples": {"RequestTooLarge": _example("request_too_large")},
                        }
                    },
                    "description": "Request body over the upload limit: `request_too_large`",
                },
            )
            bad = responses.setdefault(
                "400", {"content": {"application/json": {"schema": _ERROR_REF}}, "description": "Bad input"}
            )
            content = bad.get("content", {}).get("application/json", {})
            if content.get("schema") != _ERROR_REF:
                continue  # answers in another shape (the WeChat Pay notice)
            content.setdefault("examples", {})["RequestTooDeep"] = _example("request_too_deep")
            bad["description"] = f"{bad.get('description') or 'Bad input'}; `request_too_deep`"
    return result
