"""The anomaly banner (F31) on every console page while an alert is unresolved."""

from __future__ import annotations

from typing import Any

from django import template

from marketing.selectors.campaign_anomaly import open_anomaly_alerts

register = template.Library()


@register.inclusion_tag("marketing/_anomaly_banner.html", takes_context=True)
def anomaly_banner(context: template.Context) -> dict[str, Any]:
    """Shown to signed-in staff who may see campaigns; one cache read, no query when cached."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_staff", False) or not user.has_perm("marketing.view_campaign"):
        return {"alerts": []}
    return {"alerts": open_anomaly_alerts()}
