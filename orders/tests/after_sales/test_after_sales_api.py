"""After-sales API (P04): options, photo upload, request, list, detail, cancel, return shipment;
every refusal a 4xx with its stable code."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from members.models import Member
from members.tests.factories import MemberFactory
from members.tests.fixtures import client_for
from orders.models import AfterSale, AfterSalePhoto, AfterSaleStatus, Order, OrderLine
from orders.services.after_sales import after_sale_approve, after_sale_photos_purge


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _png(size: tuple[int, int] = (8, 8), fmt: str = "PNG") -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, (250, 65, 38)).save(data, fmt)
    data.seek(0)
    data.name = f"photo.{fmt.lower()}"
    return data


def _line(order: Order) -> OrderLine:
    return OrderLine.objects.filter(order=order).order_by("pk").first()  # type: ignore[return-value]


def _upload(client: APIClient, data: io.BytesIO) -> Any:
    return client.post("/api/v1/after-sales/photos", {"file": data}, format="multipart")


def _request(client: APIClient, order: Order, **overrides: Any) -> Any:
    body = {
        "order_no": order.no,
        "line_id": _line(order).pk,
        "qty": 1,
        "kind": "refund_only",
        "reason": "not_wanted",
        "description": "拍错了颜色",
        **overrides,
    }
    return client.post("/api/v1/after-sales", body, format="json")


@pytest.mark.django_db
def test_options_say_what_each_line_may_ask_for(
    paid: Callable[..., Order], receive: Callable[[Order], Order], shopper_client: APIClient
) -> None:
    order = paid(lines=[(2, 2000), (1, 500)])
    body = shopper_client.get(f"/api/v1/orders/{order.no}/after-sale-options").json()
    assert [(line["kind"], line["max_qty"], line["open_after_sale_no"]) for line in body["lines"]] == [
        ("refund_only", 2, ""),
        ("refund_only", 1, ""),
    ]
    assert body["max_photos"] == 6
    assert {"value": "quality", "label": "质量问题"} in body["reasons"]

    received = receive(paid())
    lines = shopper_client.get(f"/api/v1/orders/{received.no}/after-sale-options").json()["lines"]
    assert lines[0]["kind"] == "return_refund"


@pytest.mark.django_db
def test_photo_upload_checks_the_real_format_and_size_and_stores_through_the_storage(
    settings: Any, shopper_client: APIClient, shopper: Member
) -> None:
    response = _upload(shopper_client, _png())
    assert response.status_code == 201, response.json()
    photo = AfterSalePhoto.objects.get(pk=response.json()["id"])
    assert photo.member_id == shopper.pk and photo.after_sale_id is None
    name = photo.image.name or ""
    assert default_storage.exists(name) and name.endswith(".png")
    assert response.json()["image"] == photo.image.url

    fake = io.BytesIO(b"%PDF-1.4 not an image")
    fake.name = "photo.jpg"
    refused = _upload(shopper_client, fake)
    assert (refused.status_code, refused.json()["code"]) == (400, "after_sale_photo_invalid")

    gif = _upload(shopper_client, _png(fmt="GIF"))
    assert (gif.status_code, gif.json()["code"]) == (400, "after_sale_photo_invalid")

    settings.AFTER_SALES_PHOTO_MAX_BYTES = 50
    big = _upload(shopper_client, _png(size=(64, 64)))
    assert (big.status_code, big.json()["code"]) == (400, "after_sale_photo_invalid")
    assert big.json()["message"].startswith("图片无效")

    missing = shopper_client.post("/api/v1/after-sales/photos", {}, format="multipart")
    assert (missing.status_code, missing.json()["code"]) == (400, "after_sale_photo_invalid")
    assert AfterSalePhoto.objects.count() == 1


@pytest.mark.django_db
def test_request_with_photos_then_list_and_detail(
    paid: Callable[..., Order], shopper_client: APIClient, shopper: Member
) -> None:
    order = paid(lines=[(2, 3000)])
    photo_ids = [_upload(shopper_client, _png()).json()["id"] for _ in range(2)]
    response = _request(shopper_client, order, qty=2, photo_ids=photo_ids, reason="damaged")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["status_display"], body["kind_display"]) == ("pending", "待审核", "仅退款")
    assert (body["amount"], body["qty"], body["reason_display"]) == (3000, 2, "商品破损")
    assert [photo["id"] for photo in body["photos"]] == photo_ids
    assert body["can_cancel"] is True and body["deadline"] is not None
    assert body["history"][0]["status_display"] == "待审核"

    listed = shopper_client.get("/api/v1/after-sales").json()
    assert [row["no"] for row in listed["results"]] == [body["no"]]
    assert listed["results"][0]["line"]["title"] == _line(order).title
    assert shopper_client.get(f"/api/v1/after-sales/{body['no']}").json()["no"] == body["no"]

    # The photos are used up: another request cannot take them.
    second = _request(shopper_client, paid(), photo_ids=photo_ids[:1])
    assert (second.status_code, second.json()["code"]) == (400, "after_sale_photo_invalid")


@pytest.mark.django_db
def test_refusals_are_4xx_with_stable_codes(
    paid: Callable[..., Order], order_with_lines: Callable[..., Order], shopper_client: APIClient
) -> None:
    order = paid(lines=[(2, 2000)])
    cases = [
        (_request(shopper_client, order, qty=3), 409, "after_sale_qty_exceeds"),
        (_request(shopper_client, order, kind="return_refund"), 400, "after_sale_kind_invalid"),
        (_request(shopper_client, order, line_id=999_999), 400, "after_sale_line_invalid"),
        (_request(shopper_client, order, reason="bored"), 400, "invalid_input"),
        (_request(shopper_client, order, photo_ids=list(range(1, 8))), 400, "after_sale_photos_too_many"),
        (_request(shopper_client, order, order_no="NOPE"), 404, "order_not_found"),
        (_request(shopper_client, order_with_lines()), 409, "after_sale_not_allowed"),
        (shopper_client.get("/api/v1/after-sales/AS0000"), 404, "after_sale_not_found"),
        (shopper_client.get("/api/v1/after-sales?status=lost"), 400, "invalid_input"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json()["code"]) == (status, code)
        assert response.json()["message"]
    assert _request(shopper_client, order).status_code == 201
    again = _request(shopper_client, order)
    assert (again.status_code, again.json()["code"]) == (409, "after_sale_open_exists")
    anonymous = APIClient().get("/api/v1/after-sales")
    assert anonymous.status_code == 401


@pytest.mark.django_db
def test_another_shopper_cannot_see_or_touch_a_request(paid: Callable[..., Order], shopper_client: APIClient) -> None:
    no = _request(shopper_client, paid()).json()["no"]
    stranger = client_for(MemberFactory.create())
    for response in (
        stranger.get(f"/api/v1/after-sales/{no}"),
        stranger.post(f"/api/v1/after-sales/{no}/cancel"),
        stranger.post(
            f"/api/v1/after-sales/{no}/return-shipment", {"carrier": "顺丰", "tracking_no": "1"}, format="json"
        ),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "after_sale_not_found")
    assert stranger.get("/api/v1/after-sales").json()["results"] == []
    assert AfterSale.objects.get(no=no).status == AfterSaleStatus.PENDING


@pytest.mark.django_db
def test_cancel_and_return_shipment(
    paid: Callable[..., Order],
    receive: Callable[[Order], Order],
    shopper_client: APIClient,
    service_staff: User,
) -> None:
    no = _request(shopper_client, paid()).json()["no"]
    cancelled = shopper_client.post(f"/api/v1/after-sales/{no}/cancel")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")

    order = receive(paid())
    no = _request(shopper_client, order, kind="return_refund", reason="quality").json()["no"]
    early = shopper_client.post(
        f"/api/v1/after-sales/{no}/return-shipment", {"carrier": "顺丰", "tracking_no": "SF1"}, format="json"
    )
    assert (early.status_code, early.json()["code"]) == (409, "after_sale_status_invalid")
    after_sale_approve(after_sale_id=AfterSale.objects.get(no=no).pk, actor=service_staff)
    blank = shopper_client.post(f"/api/v1/after-sales/{no}/return-shipment", {"carrier": "顺丰"}, format="json")
    assert (blank.status_code, blank.json()["code"]) == (400, "invalid_input")
    shipped = shopper_client.post(
        f"/api/v1/after-sales/{no}/return-shipment", {"carrier": "顺丰", "tracking_no": "SF998877"}, format="json"
    )
    assert shipped.status_code == 200
    body = shipped.json()
    assert (body["status_display"], body["return_carrier"], body["return_tracking_no"]) == (
        "已寄回",
        "顺丰",
        "SF998877",
    )
    assert body["can_cancel"] is False and body["deadline"] is None


@pytest.mark.django_db
def test_the_list_reads_a_fixed_number_of_queries(
    paid: Callable[..., Order], shopper_client: APIClient, django_assert_max_num_queries: Any
) -> None:
    for _ in range(4):
        _request(shopper_client, paid())
    with django_assert_max_num_queries(6):
        response = shopper_client.get("/api/v1/after-sales")
    assert len(response.json()["results"]) == 4


@pytest.mark.django_db
def test_photos_of_an_abandoned_form_are_deleted_after_a_day(
    paid: Callable[..., Order], shopper_client: APIClient
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        used = _upload(shopper_client, _png()).json()["id"]
        abandoned = AfterSalePhoto.objects.get(pk=_upload(shopper_client, _png()).json()["id"])
        assert _request(shopper_client, paid(), photo_ids=[used]).status_code == 201
        clock.shift(timedelta(hours=23))
        assert after_sale_photos_purge() == 0
        clock.shift(timedelta(hours=2))
        assert after_sale_photos_purge() == 1
    assert not default_storage.exists(abandoned.image.name or "")
    assert list(AfterSalePhoto.objects.values_list("pk", flat=True)) == [used]
