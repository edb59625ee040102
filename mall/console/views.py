"""The console's own pages beside the model admin: adding a staff member in a role.

Django's stock "add user" page knows nothing of roles and writes no audit row; this page
calls ``staff_create`` so a new account always lands in exactly one role, audited.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from mall.console.forms import StaffCreateForm
from mall.errors import ApplicationError
from mall.services.staff import staff_create


def staff_create_view(request: HttpRequest) -> HttpResponse:
    """GET shows the form; POST creates the account through ``staff_create``."""
    if not request.user.has_perm("auth.add_user"):
        raise PermissionDenied
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = staff_create(
                username=data["username"],
                password=data["password"],
                role=data["role"],
                email=data.get("email") or "",
                actor=request.user,
            )
        except ApplicationError as exc:
            if "password" in exc.details:
                form.add_error("password", exc.details["password"])
            else:
                field = "username" if exc.code == "staff_username_taken" else exc.details.get("field")
                form.add_error(field if field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("已创建员工 %(name)s。") % {"name": user.get_username()})
            return HttpResponseRedirect(reverse("admin:auth_user_change", args=[user.pk]))
    context = {
        **admin.site.each_context(request),
        "title": _("新增员工"),
        "form": form,
    }
    return TemplateResponse(request, "admin/console/staff_create.html", context)
