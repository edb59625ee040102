"""The console's order desk: yuan on screen, readable address/specs/breakdown, the ship dialog's
carrier list and number check, status tabs, search, bulk ship from a sheet, packing slips,
masked phones with an audited reveal, and flags that show only the exceptional state."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from mall.models import AuditLog, Sku
from marketing.tests.factories import PromotionFactory
from members.models import Member
from orders.models import Order, OrderStatus
from orders.tests.conftest import pay, reload
from orders.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _input(html: str, name: str) -> str:
    """The whole ``<input …>`` tag of the field ``name``."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


@pytest.fixture
def staff_factory(staff: User) -> Callable[[str], User]:
    """``staff_factory("operator")`` → a staff user in that role, made like the console does."""
    from mall.services.staff import staff_create

    return lambda role: staff_create(username=role, password="staff-pass-123", role=role, actor=staff)


@pytest.fixture
def console_client() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def _html(client: Client, url: str, data: dict[str, str] | None = None) -> str:
    response = client.get(url, data or {})
    assert response.status_code == 200
    return response.content.decode()


# --- 1. money in yuan, address and specs as text, the breakdown as a table ------------------


def test_order_page_shows_yuan_text_and_a_breakdown_table(
    console: Client, place: Callable[..., Order], member: Member, sku: Sku
) -> None:
    PromotionFactory.create(name="满100减15")
    order = pay(place(member, [(sku, 2)]))  # 2 × 59.00 = 118.00, 满100减15 → 103.00
    html = _html(console, reverse("admin:orders_order_change", args=[order.pk]))

    assert "¥118.00" in html and "¥103.00" in html and "-¥15.00" in html
    assert ">11800<" not in html and ">10300<" not in html  # never fen on screen
    assert "\\u5e7f\\u4e1c" not in html and "&quot;receiver&quot;" not in html  # no JSON (广东 escaped)
    assert "广东省 深圳市 南山区 科技园路" in html
    assert "138****8000" in html  # superuser may reveal; shown masked until asked
    assert "规格：50ml" in html
    assert 'data-testid="price-breakdown"' in html
    assert "满100减15" in html and "满减" in html  # the rule by name and its kind


def test_product_page_shows_the_lowest_price_in_yuan(console: Client, sku: Sku) -> None:
    html = _html(console, reverse("admin:mall_product_change", args=[sku.product_id]))
    assert "最低价(分)" not in html
    assert "¥59.00" in html


# --- 2. the ship dialog -------------------------------------------------------------------


def test_ship_dialog_lists_carriers_and_refuses_a_wrong_tracking_number(console: Client, paid_order: Order) -> None:
    url = reverse("admin:orders_order_ship", args=[paid_order.pk])
    dialog = _html(console, url)
    for name in (
        "顺丰速运",
        "中通快递",
        "圆通速递",
        "韵达快递",
        "申通快递",
        "极兔速递",
        "京东物流",
        "EMS",
        "中国邮政",
        "其他",
    ):
        assert name in dialog
    # unfold's styled widgets (border, background), not bare inputs
    assert "border" in _input(dialog, "tracking_no")

    page = console.post(url, {"carrier": "yto", "tracking_no": "SF1234567890", "_form_submitted": "on"})
    assert "这不像圆通速递的运单号" in page.content.decode()
    assert reload(paid_order).status == OrderStatus.PAID


def test_ship_dialog_other_carrier_needs_its_name(console: Client, paid_order: Order) -> None:
    url = reverse("admin:orders_order_ship", args=[paid_order.pk])
    page = console.post(url, {"carrier": "other", "tracking_no": "DB12345678", "_form_submitted": "on"})
    assert "请填写快递公司名称" in page.content.decode()
    console.post(
        url, {"carrier": "other", "carrier_other": "德邦快递", "tracking_no": "DB12345678", "_form_submitted": "on"}
    )
    order = reload(paid_order)
    assert (order.status, order.carrier, order.tracking_no) == (OrderStatus.SHIPPED, "德邦快递", "DB12345678")


def test_refund_dialog_inputs_are_styled(paid_order: Order, staff: User) -> None:
    client = Client()
    client.force_login(staff)
    dialog = _html(client, reverse("admin:orders_order_refund", args=[paid_order.pk]))
    assert "border" in _input(dialog, "reason")
    assert "border" in _input(dialog, f"line_{paid_order.lines.get().pk}")


# --- 3. tabs, search, bulk ship, packing slips -----------------------------------------------


@pytest.fixture
def desk_orders(place: Callable[..., Order], member: Member, sku: Sku, staff: User) -> dict[str, Order]:
    """One order per state the tabs count: pending, paid ×2, shipped, cancelled."""
    from orders.services.orders import order_cancel_by_member, order_ship

    other = SkuFactory.create(price=1000, stock=10)
    orders = {
        "pending": place(member, [(other, 1)]),
        "paid": pay(place(member, [(sku, 1)])),
        "paid2": pay(place(member, [(other, 2)])),
        "shipped": pay(place(member, [(other, 3)])),
        "cancelled": place(member, [(other, 1)]),
    }
    order_ship(order_id=orders["shipped"].pk, carrier="顺丰速运", tracking_no="SF1234567890", actor=staff)
    order_cancel_by_member(member=member, order_id=orders["cancelled"].pk)
    return {key: reload(order) for key, order in orders.items()}


def test_tabs_count_and_filter_orders(
    console: Client, desk_orders: dict[str, Order], django_assert_max_num_queries: Any
) -> None:
    from orders.selectors.desk import order_tab_counts

    with django_assert_max_num_queries(1):
        counts = order_tab_counts()
    assert counts == {
        "all": 5,
        "pending_payment": 1,
        "to_ship": 2,
        "shipped": 1,
        "completed": 0,
        "after_sales": 0,
        "cancelled": 1,
    }
    url = reverse("admin:orders_order_changelist")
    html = _html(console, url)
    assert 'data-testid="tab-to_ship"' in html
    to_ship = _html(console, url, {"tab": "to_ship"})
    assert desk_orders["paid"].no in to_ship and desk_orders["paid2"].no in to_ship
    assert desk_orders["pending"].no not in to_ship and desk_orders["shipped"].no not in to_ship


def test_search_by_order_number_phone_and_receiver(
    console: Client, place: Callable[..., Order], member: Member, other_member: Member, sku: Sku
) -> None:
    from members.tests.factories import AddressFactory

    mine = place(
        member, [(sku, 1)], address=AddressFactory.create(member=member, receiver="王小丫", phone="13912345678")
    )
    theirs = place(other_member, [(sku, 1)], address=AddressFactory.create(member=other_member, receiver="李大壮"))
    url = reverse("admin:orders_order_changelist")
    for query in (mine.no, "13912345678", "王小丫"):
        html = _html(console, url, {"q": query})
        assert mine.no in html and theirs.no not in html, query


def _sheet(rows: list[tuple[str, str, str]], *, xlsx: bool = False) -> SimpleUploadedFile:
    header = ("订单号", "快递公司", "运单号")
    if xlsx:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in (header, *rows):
            sheet.append(list(row))
        buffer = io.BytesIO()
        book.save(buffer)
        return SimpleUploadedFile("ship.xlsx", buffer.getvalue())
    text = "\n".join(",".join(row) for row in (header, *rows))
    return SimpleUploadedFile("ship.csv", text.encode("utf-8-sig"))


def test_bulk_ship_ships_every_row(console: Client, desk_orders: dict[str, Order], staff: User) -> None:
    sheet = _sheet(
        [(desk_orders["paid"].no, "顺丰", "SF1234567890123"), (desk_orders["paid2"].no, "中通快递", "781234567890")],
        xlsx=True,
    )
    response = console.post(reverse("admin:orders_order_ship_sheet"), {"sheet": sheet})
    assert response.status_code == 302
    paid, paid2 = reload(desk_orders["paid"]), reload(desk_orders["paid2"])
    assert (paid.status, paid.carrier, paid.tracking_no) == (OrderStatus.SHIPPED, "顺丰速运", "SF1234567890123")
    assert (paid2.status, paid2.carrier) == (OrderStatus.SHIPPED, "中通快递")
    assert AuditLog.objects.filter(action="order.ship", actor=staff).count() == 3  # 2 here + the fixture's


def test_bulk_ship_with_a_bad_row_ships_nothing_and_names_every_bad_row(
    console: Client, desk_orders: dict[str, Order]
) -> None:
    sheet = _sheet(
        [
            (desk_orders["paid"].no, "顺丰", "SF1234567890123"),  # fine
            (desk_orders["shipped"].no, "中通", "781234567890"),  # already shipped
            ("DM0000", "圆通", "YT1234567890123"),  # no such order
            (desk_orders["paid2"].no, "飞鸽", "123456"),  # unknown carrier
            (desk_orders["paid"].no, "顺丰", "SF1234567890124"),  # twice
        ]
    )
    response = console.post(reverse("admin:orders_order_ship_sheet"), {"sheet": sheet})
    html = response.content.decode()
    assert response.status_code == 200
    assert "所有订单均未发货" in html
    errors = html.split('data-testid="bulk-ship-errors"')[1]
    assert "订单状态为「已发货」" in errors
    assert "订单不存在" in errors
    assert "不认识的快递公司「飞鸽」" in errors
    assert "与第 2 行重复" in errors
    for row in (3, 4, 5, 6):
        assert f"<td>{row}</td>" in errors
    assert reload(desk_orders["paid"]).status == OrderStatus.PAID  # nothing half-applied
    assert reload(desk_orders["paid2"]).status == OrderStatus.PAID


def test_packing_slips_print_lines_without_prices(console: Client, desk_orders: dict[str, Order]) -> None:
    paid = desk_orders["paid"]
    url = reverse("admin:orders_order_packing_slips")
    html = _html(console, url, {"ids": f"{paid.pk},{desk_orders['paid2'].pk}"})
    assert html.count('data-testid="packing-slip"') == 2
    assert paid.no in html and paid.lines.get().title in html and "规格：50ml" in html
    assert "138****8000" in html and "13800138000" not in html
    assert "¥" not in html


# --- 4. masked phones and the audited reveal -----------------------------------------------


def test_operator_sees_masked_phones_and_cannot_reveal(
    staff_factory: Callable[[str], User], console_client: Callable[[User], Client], paid_order: Order
) -> None:
    client = console_client(staff_factory("operator"))
    listing = _html(client, reverse("admin:orders_order_changelist"))
    page = _html(client, reverse("admin:orders_order_change", args=[paid_order.pk]))
    for html in (listing, page):
        assert "138****8000" in html and "13800138000" not in html
    assert "reveal-phone" not in page
    response = client.post(reverse("admin:orders_order_reveal_phone", args=[paid_order.pk]))
    assert response.status_code == 403
    assert not AuditLog.objects.filter(action="order.phone_reveal").exists()


def test_customer_service_reveals_a_phone_and_it_is_audited(
    staff_factory: Callable[[str], User], console_client: Callable[[User], Client], paid_order: Order
) -> None:
    service = staff_factory("customer_service")
    client = console_client(service)
    page = _html(client, reverse("admin:orders_order_change", args=[paid_order.pk]))
    assert "reveal-phone" in page and "13800138000" not in page
    response = client.post(reverse("admin:orders_order_reveal_phone", args=[paid_order.pk]))
    assert response.status_code == 200
    assert "13800138000" in response.content.decode()
    row = AuditLog.objects.get(action="order.phone_reveal")
    assert (row.actor, row.target_id, row.data) == (service, str(paid_order.pk), {"no": paid_order.no})


# --- 5. only exceptional states are flagged ------------------------------------------------


def test_ordinary_rows_carry_no_flag_and_exceptional_ones_say_why(
    console: Client, desk_orders: dict[str, Order]
) -> None:
    url = reverse("admin:orders_order_changelist")
    ordinary = _html(console, url)
    assert "需人工处理</span>" not in ordinary and "icon-no" not in ordinary  # no red ✗ on ordinary rows
    Order.objects.filter(pk=desk_orders["paid"].pk).update(needs_attention=True, attention_note="支付金额不符")
    html = _html(console, url)
    assert "支付金额不符" in html
    assert html.count("bg-red-100") == ordinary.count("bg-red-100") + 1  # one danger label, on that order


def test_order_desk_speaks_english_when_asked(console: Client, desk_orders: dict[str, Order]) -> None:
    url = reverse("admin:orders_order_changelist")
    html = console.get(url, headers={"accept-language": "en"}).content.decode()
    assert "To ship" in html and "After-sales" in html and "Bulk ship" in html
    assert "待发货" not in html and "批量发货" not in html


def test_orders_filter_by_named_marketing_tool(console: Client, desk_orders: dict[str, Order]) -> None:
    Order.objects.filter(pk=desk_orders["paid"].pk).update(deal_kind="group")
    url = reverse("admin:orders_order_changelist")
    page = _html(console, url)
    assert "?deal=group" in page and ">group<" not in page
    grouped = _html(console, url, {"deal": "group"})
    assert desk_orders["paid"].no in grouped and desk_orders["paid2"].no not in grouped
    assert "拼团" in grouped


def test_print_packing_slips_for_the_selected_orders(console: Client, desk_orders: dict[str, Order]) -> None:
    chosen = [desk_orders["paid"].pk, desk_orders["paid2"].pk]
    response = console.post(
        reverse("admin:orders_order_changelist"),
        {"action": "print_packing_slips", "_selected_action": [str(pk) for pk in chosen]},
    )
    assert response.status_code == 302
    slips = _html(console, response["Location"])
    assert slips.count('data-testid="packing-slip"') == 2
