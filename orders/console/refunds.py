"""The console's refund dialog: choose "full" or a quantity per line; amounts are computed by
``refund_create`` (never typed in by staff), so a refund can never exceed what was paid.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.forms import BaseDialogForm
from unfold.widgets import UnfoldAdminIntegerFieldWidget, UnfoldAdminTextInputWidget, UnfoldBooleanSwitchWidget

from mall.console.display import yuan
from orders.selectors.refunds import order_refundable_lines


class OrderRefundForm(BaseDialogForm):
    # unfold's widgets: Django's bare ones have no border or background in the dialog.
    full = forms.BooleanField(label=_("全额退款（含运费）"), required=False, widget=UnfoldBooleanSwitchWidget)
    reason = forms.CharField(label=_("退款原因"), max_length=200, widget=UnfoldAdminTextInputWidget)

    def __init__(self, request: HttpRequest, object_id: int | str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, object_id, *args, **kwargs)
        self.order_lines = order_refundable_lines(order_id=int(object_id)) if object_id else []
        for line in self.order_lines:
            remaining = line.qty - line.refunded_qty
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=_("%(title)s（可退 %(remaining)d 件，实付 %(paid)s）")
                % {"title": line.title, "remaining": remaining, "paid": yuan(line.paid_amount)},
                min_value=0,
                max_value=remaining,
                initial=0,
                required=False,
                widget=UnfoldAdminIntegerFieldWidget,
            )

    def refund_lines(self) -> list[tuple[int, int]] | None:
        """``None`` for a full refund, else ``[(line_id, qty)]`` for the quantities entered."""
        if self.cleaned_data.get("full"):
            return None
        quantities = ((line.pk, self.cleaned_data.get(f"line_{line.pk}") or 0) for line in self.order_lines)
        return [(line_id, qty) for line_id, qty in quantities if qty > 0]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("full") and not self.refund_lines():
            # On a field: the dialog template shows field errors, not form-wide ones.
            self.add_error("full", ValidationError(_("请勾选全额退款，或填写要退的商品数量。")))
        return cleaned
