"""Admin pages that save through services: shared by every app's console pages.

The services hold the rules (and write the audit rows); these pieces only make an admin page
show a service's refusal on the form and keep Django from validating the rules a second time.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.forms.models import construct_instance
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from mall.errors import ApplicationError


class ServiceRefusalMixin:
    """Admin pages that save through a service: a refusal (ApplicationError) from the service
    shows as a message on the same form instead of a server error."""

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(request.get_full_path())


class ServiceValidatedForm(forms.ModelForm):
    """The services check the rules in Chinese; the model's CHECK constraints would only repeat
    them in English, so the instance is filled in but not validated again."""

    def _post_clean(self) -> None:
        opts = self._meta
        self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
