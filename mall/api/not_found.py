"""``/api/…`` paths that name no endpoint answer like every other API error: JSON, not a page.

A path whose id is not a number (``orders/abc/cancel``) or that does not exist at all reaches
this catch-all, registered after every API route, so clients parse one error body everywhere
(with ``DEBUG`` on as well, where Django would draw its HTML debug page).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from mall.api.exception_handler import error_body

NOT_FOUND_COMPONENT = "Error"


@csrf_exempt  # token-authenticated API: a POST to a wrong path is a 404, not a CSRF refusal
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    return JsonResponse(
        error_body("not_found", _("找不到该接口或对象。"), {"path": request.path}),
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


def document_not_found(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: a 404 is documented wherever one can happen.

    Every operation with a path parameter (the id may name nothing, or not be a number) and
    every paginated list (a page past the last one) may answer 404 ``not_found``.
    """
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            paged = any(p.get("in") == "query" and p.get("name") == "page" for p in operation.get("parameters", []))
            if ("{" in path or paged) and "404" not in operation["responses"]:
                operation["responses"]["404"] = {
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{NOT_FOUND_COMPONENT}"}}
                    },
                    "description": "Not found: `not_found`",
                }
    return result
