"""The console's after-sales queue: tabs with counts, the request page with the shopper's photos,
and the merchant's steps as audited detail actions; entries from the order page, the sidebar
and the home page."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from mall.console.roles import ROLE_OPERATOR
from mall.models import AuditLog
from mall.services.staff import staff_create
from members.models import Member, Message
from orders.models import AfterSale, AfterSaleStatus, Order, OrderLine, Refund
from orders.services.after_sales import after_sale_photo_upload, after_sale_request, after_sale_return_ship

pytestmark = pytest.mark.django_db
S = AfterSaleStatus


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def console(service_staff: User) -> Client:
    client = Client()
    client.force_login(service_staff)
    return client


def _jpeg() -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (12, 12), (10, 120, 200)).save(data, "JPEG")
    return SimpleUploadedFile("IMG_0001.jpg", data.getvalue(), content_type="image/jpeg")


def _ask(shopper: Member, order: Order, *, kind: str = "refund_only", photos: int = 0) -> AfterSale:
    photo_ids = [after_sale_photo_upload(member=shopper, upload=_jpeg()).pk for _ in range(photos)]
    line = OrderLine.objects.filter(order=order).order_by("pk").first()
    assert line is not None
    return after_sale_request(
        member=shopper,
        order_id=order.pk,
        line_id=line.pk,
        qty=1,
        kind=kind,
        reason="damaged",
        description="外盒压坏了",
        photo_ids=photo_ids,
    )


def _action(name: str, after_sale: AfterSale) -> str:
    return reverse(f"admin:orders_aftersale_{name}", args=[after_sale.pk])


def _page(console: Client, after_sale: AfterSale) -> str:
    return console.get(reverse("admin:orders_aftersale_change", args=[after_sale.pk])).content.decode()


def test_the_queue_has_tabs_by_state_with_counts(
    console: Client, paid: Callable[..., Order], receive: Callable[[Order], Order], shopper: Member
) -> None:
    _ask(shopper, paid())
    _ask(shopper, paid())
    waiting = _ask(shopper, receive(paid()), kind="return_refund")
    AfterSale.objects.filter(pk=waiting.pk).update(status=S.AWAITING_RETURN)

    html = console.get(reverse("admin:orders_aftersale_changelist")).content.decode()
    assert 'data-testid="after-sale-tabs"' in html
    assert "待审核" in html and "待退货" in html and "待退款" in html

    pending = console.get(reverse("admin:orders_aftersale_changelist") + "?status__in=pending")
    assert pending.status_code == 200
    assert list(pending.context["cl"].result_list.values_list("status", flat=True)) == [S.PENDING, S.PENDING]
    tabs = {str(tab["title"]): tab for tab in pending.context["after_sale_tabs"]}
    assert (tabs["全部"]["count"], tabs["待审核"]["count"], tabs["待退货"]["count"]) == (3, 2, 1)
    assert tabs["待审核"]["active"] and not tabs["全部"]["active"]


def test_the_request_page_shows_photos_money_in_yuan_and_progress(
    console: Client, paid: Callable[..., Order], shopper: Member
) -> None:
    after_sale = _ask(shopper, paid(lines=[(2, 2590)]), photos=2)
    html = _page(console, after_sale)
    assert html.count('data-testid="after-sale-photo"') == 2
    for photo in after_sale.photos.all():
        assert photo.image.url in html
    assert "12.95" in html and "1295" not in html
    assert "外盒压坏了" in html and "商品破损" in html
    assert _action("approve", after_sale) in html and _action("reject", after_sale) in html
    assert _action("confirm_receipt", after_sale) not in html  # nothing sent back yet


def test_approve_refunds_at_once_and_is_audited(
    console: Client, paid: Callable[..., Order], shopper: Member, service_staff: User
) -> None:
    after_sale = _ask(shopper, paid(lines=[(1, 1990)]))
    response = console.post(_action("approve", after_sale), {"_form_submitted": "on"})
    assert response.headers["HX-Redirect"] == reverse("admin:orders_aftersale_change", args=[after_sale.pk])
    assert AfterSale.objects.get(pk=after_sale.pk).status == S.REFUNDED
    assert Refund.objects.get().amount == 1990
    assert AuditLog.objects.filter(actor=service_staff, action="after_sale.approve").exists()
    html = _page(console, after_sale)
    assert "已同意" in html and "19.90" in html
    assert _action("approve", after_sale) not in html


def test_reject_needs_a_reason_and_tells_the_shopper(
    console: Client, paid: Callable[..., Order], shopper: Member
) -> None:
    after_sale = _ask(shopper, paid())
    empty = console.post(_action("reject", after_sale), {"reason": "", "_form_submitted": "on"})
    assert "HX-Redirect" not in empty.headers and "reason" in empty.content.decode()
    assert AfterSale.objects.get(pk=after_sale.pk).status == S.PENDING
    console.post(_action("reject", after_sale), {"reason": "超过售后期限", "_form_submitted": "on"})
    assert AfterSale.objects.get(pk=after_sale.pk).status == S.REJECTED
    assert Message.objects.filter(member=shopper, body="超过售后期限").exists()


def test_confirm_receipt_of_a_return_refunds(
    console: Client, paid: Callable[..., Order], receive: Callable[[Order], Order], shopper: Member
) -> None:
    after_sale = _ask(shopper, receive(paid(lines=[(1, 5000)])), kind="return_refund")
    console.post(_action("approve", after_sale), {"_form_submitted": "on"})
    assert AfterSale.objects.get(pk=after_sale.pk).status == S.AWAITING_RETURN
    after_sale_return_ship(member=shopper, after_sale_id=after_sale.pk, carrier="圆通", tracking_no="YT123456")
    html = _page(console, after_sale)
    assert "圆通" in html and "YT123456" in html and _action("confirm_receipt", after_sale) in html
    console.post(_action("confirm_receipt", after_sale), {"_form_submitted": "on"})
    assert AfterSale.objects.get(pk=after_sale.pk).status == S.REFUNDED
    assert Refund.objects.get().amount == 5000


def test_a_stale_button_shows_the_service_refusal(console: Client, paid: Callable[..., Order], shopper: Member) -> None:
    after_sale = _ask(shopper, paid())
    AfterSale.objects.filter(pk=after_sale.pk).update(status=S.CANCELLED, open_line=None)
    response = console.post(_action("approve", after_sale), {"_form_submitted": "on"})
    assert response.status_code == 403  # the button is gone for a cancelled request
    assert not Refund.objects.exists()


def test_an_operator_reads_the_queue_but_cannot_decide(paid: Callable[..., Order], shopper: Member) -> None:
    operator = staff_create(username="yunying", password="Yunying-2026-strong", role=ROLE_OPERATOR, actor=None)
    client = Client()
    client.force_login(operator)
    after_sale = _ask(shopper, paid())
    assert client.get(reverse("admin:orders_aftersale_changelist")).status_code == 403
    assert client.post(_action("approve", after_sale), {"_form_submitted": "on"}).status_code == 403
    assert AfterSale.objects.get(pk=after_sale.pk).status == S.PENDING


def test_entries_from_the_order_page_sidebar_and_home(console: Client, paid: Callable[..., Order]) -> None:
    order = paid()
    order_page = console.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    link = reverse("admin:orders_order_after_sales", args=[order.pk])
    assert link in order_page
    redirect = console.get(link)
    assert redirect.headers["Location"].endswith(f"?order__id__exact={order.pk}")
    assert console.get(redirect.headers["Location"]).status_code == 200
    home = console.get(reverse("admin:index")).content.decode()
    assert reverse("admin:orders_aftersale_changelist") in home
    assert "待审核售后" in home
