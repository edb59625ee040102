"""The pages around the console: ``/``, the 403 page and the favicon.

``/`` used to be Django's debug 404 (and with it the console's "查看站点" link); it now leads
to the console, which sends anyone not signed in to the login. A refused page is drawn in the
console's own frame, in the console's language, with a way back instead of a bare
"403 Forbidden".
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from mall.console.roles import ROLE_LABELS


def home(request: HttpRequest) -> HttpResponse:
    """``/`` → the console home (the login page first for visitors who are not signed in)."""
    return HttpResponseRedirect(reverse("admin:index"))


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for ``/favicon.ico`` on every site; send them to the console's icon."""
    return HttpResponseRedirect(static("console/favicon.ico"))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's ``handler403``: the console-styled refusal with the way back."""
    user = request.user
    staff = bool(getattr(user, "is_staff", False) and getattr(user, "is_active", False))
    roles = []
    if staff:
        names = set(user.groups.values_list("name", flat=True))  # type: ignore[union-attr]
        roles = [str(label) for role, label in ROLE_LABELS.items() if role in names]
    context = {
        **(admin.site.each_context(request) if staff else {}),
        "title": _("没有访问权限"),
        "base_template": "admin/base_site.html" if staff else "admin/console/bare.html",
        "roles": roles,
        "home_url": reverse("admin:index"),
    }
    response = TemplateResponse(request, "admin/console/403.html", context, status=403)
    return response.render()
