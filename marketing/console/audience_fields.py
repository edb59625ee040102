"""The audience fields (members.services.audience) on a tool's console form: a segment, a tag and
member tiers, all optional (all empty = every shopper). Saved with ``audience_set`` (audited)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Member, Segment, Tag

AUDIENCE_FIELDS = ("audience_segment", "audience_tag", "audience_tiers")


def audience_fields_add(form: forms.BaseForm, audience: Mapping[str, Any] | None) -> None:
    """Add the three fields to ``form``, showing ``audience`` (the tool's current one)."""
    form.fields["audience_segment"] = forms.ModelChoiceField(
        label=_("限人群"), queryset=Segment.objects.all(), required=False
    )
    form.fields["audience_tag"] = forms.ModelChoiceField(label=_("限标签"), queryset=Tag.objects.all(), required=False)
    form.fields["audience_tiers"] = forms.MultipleChoiceField(
        label=_("限会员等级"),
        choices=Member.Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("都不选表示所有会员可参与；选了多项时须同时满足。"),
    )
    audience = audience or {}
    form.initial.setdefault("audience_segment", audience.get("segment"))
    form.initial.setdefault("audience_tag", audience.get("tag"))
    form.initial.setdefault("audience_tiers", audience.get("tiers") or [])


def audience_from(cleaned_data: Mapping[str, Any]) -> dict[str, Any]:
    """The audience the fields describe, as ``audience_set`` takes it."""
    audience: dict[str, Any] = {}
    if cleaned_data.get("audience_segment"):
        audience["segment"] = cleaned_data["audience_segment"].pk
    if cleaned_data.get("audience_tag"):
        audience["tag"] = cleaned_data["audience_tag"].pk
    if cleaned_data.get("audience_tiers"):
        audience["tiers"] = list(cleaned_data["audience_tiers"])
    return audience


class AudienceForm(forms.Form):
    """The audience alone (the flash slot page edits it in its own panel)."""

    def __init__(self, *args: Any, audience: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        audience_fields_add(self, audience)

    def audience(self) -> dict[str, Any]:
        return audience_from(self.cleaned_data)
