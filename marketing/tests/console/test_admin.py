"""Console pages for promotions (one form per type), coupon templates, tier rates and the policy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from mall.models import AuditLog, Sku
from marketing.models import Coupon, CouponTemplate, PricingPolicy, Promotion, TierRate
from marketing.services.coupons import coupon_claim
from members.models import Member
from members.tests.fixtures import SHOPPER_CONTEXT

pytestmark = pytest.mark.django_db

PROMOTIONS = "/admin/marketing/promotion/"


@pytest.fixture
def staff_client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def _window(prefix: str, when: Any) -> dict[str, str]:
    local = timezone.localtime(when)
    return {f"{prefix}_0": local.strftime("%Y-%m-%d"), f"{prefix}_1": local.strftime("%H:%M:%S")}


def _promotion_post(**fields: Any) -> dict[str, Any]:
    now = timezone.now()
    data = {
        "name": "满减",
        "is_active": "on",
        **_window("starts_at", now),
        **_window("ends_at", now + timedelta(days=7)),
    }
    data.update(fields)
    return data


def test_adding_a_promotion_starts_with_its_type(staff_client: Client) -> None:
    response = staff_client.get(f"{PROMOTIONS}add/")
    page = response.content.decode()
    for label in ("满减", "满赠", "第 N 件优惠", "买 A 送 B", "阶梯价", "限时折扣"):
        assert label in page
    # Issue 10 §5: no 秒杀价 to create here; the page points to the flash calendar instead.
    assert "flash_sale" not in [value for value, _label, _href in response.context["choices"]]
    assert "/console/marketing/flash/" in page
    form_page = staff_client.get(f"{PROMOTIONS}add/?type=full_reduction")
    assert "满减档位" in form_page.content.decode()
    assert "tiers" in form_page.context["adminform"].form.fields


def test_full_reduction_tiers_that_do_not_increase_are_refused_in_chinese(staff_client: Client) -> None:
    response = staff_client.post(f"{PROMOTIONS}add/?type=full_reduction", _promotion_post(tiers="199:30\n99:10"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "逐档递增" in str(errors["tiers"])
    assert not Promotion.objects.exists()


def test_a_malformed_tier_line_is_refused(staff_client: Client) -> None:
    response = staff_client.post(f"{PROMOTIONS}add/?type=full_reduction", _promotion_post(tiers="满九十九减十"))
    assert "格式不对" in str(response.context["adminform"].form.errors["tiers"])


def test_full_reduction_is_saved_through_the_service(staff_client: Client, staff: User) -> None:
    response = staff_client.post(
        f"{PROMOTIONS}add/?type=full_reduction", _promotion_post(name="618 满减", tiers="满99减10\n199:30\n299:50")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    promotion = Promotion.objects.get()
    assert (promotion.type, promotion.name) == ("full_reduction", "618 满减")
    assert promotion.rules["tiers"] == [
        {"threshold": "99", "off": "10"},
        {"threshold": "199", "off": "30"},
        {"threshold": "299", "off": "50"},
    ]
    assert AuditLog.objects.get(action="promotion.create").actor == staff
    edit = staff_client.get(f"{PROMOTIONS}{promotion.pk}/change/")
    assert edit.context["adminform"].form.initial["tiers"] == "99:10\n199:30\n299:50"


def test_a_flash_sale_promotion_cannot_be_created_any_more(staff_client: Client, lipstick: Sku) -> None:
    """Issue 10 §5: ``?type=flash_sale`` is not a type: the type chooser comes back, nothing is saved."""
    response = staff_client.post(
        f"{PROMOTIONS}add/?type=flash_sale", _promotion_post(name="秒杀", sku="LIP-01", price="9.90", per_user_limit=1)
    )
    assert response.status_code == 200
    assert "flash_sale" not in [value for value, _label, _href in response.context["choices"]]
    assert not Promotion.objects.exists()


def test_an_ended_flash_sale_promotion_is_listed_as_retired(staff_client: Client, lipstick: Sku) -> None:
    now = timezone.now()
    legacy = Promotion.objects.create(
        type="flash_sale",
        name="旧秒杀价",
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=1),
        rules={"sku": "LIP-01", "price": "9.90"},
        is_active=False,
    )
    listing = staff_client.get(PROMOTIONS).content.decode()
    assert "秒杀价（已停用，请用秒杀场次）" in listing
    change = staff_client.get(f"{PROMOTIONS}{legacy.pk}/change/")
    assert change.status_code == 200
    assert "秒杀价（已停用，请用秒杀场次）" in change.content.decode()


def test_the_promotion_list_shows_state_and_a_price_check_button(
    staff_client: Client, make_promotion: Callable[..., Promotion]
) -> None:
    make_promotion(name="进行中的满减")
    page = staff_client.get(PROMOTIONS).content.decode()
    assert "进行中的满减" in page and "进行中" in page
    link = staff_client.get(f"{PROMOTIONS}price-check/")
    assert (link.status_code, link["Location"]) == (302, "/console/marketing/price-check/")


def test_coupon_template_form_takes_yuan_and_refuses_off_above_threshold(staff_client: Client) -> None:
    data = {
        "name": "满50减60",
        "kind": "amount_off",
        "group": "shop",
        "channel": "claim",
        "threshold": "50.00",
        "off": "60.00",
        "valid_days": "7",
        "per_user_limit": "1",
        "is_active": "on",
    }
    refused = staff_client.post("/admin/marketing/coupontemplate/add/", data)
    assert "减免金额必须小于使用门槛" in str(refused.context["adminform"].form.errors["off"])
    data.update(name="满50减20", off="20.00")
    assert staff_client.post("/admin/marketing/coupontemplate/add/", data).status_code == 302
    template = CouponTemplate.objects.get(name="满50减20")
    assert (template.threshold, template.off, template.valid_days) == (5000, 2000, 7)


def test_issued_coupons_are_read_only(
    staff_client: Client, make_template: Callable[..., CouponTemplate], member: Member
) -> None:
    coupon = coupon_claim(context=SHOPPER_CONTEXT, member=member, template_id=make_template(name="店铺券").pk)
    assert "店铺券" in staff_client.get("/admin/marketing/coupon/").content.decode()
    staff_client.post(f"/admin/marketing/coupon/{coupon.pk}/change/", {"status": "used"})
    assert Coupon.objects.get(pk=coupon.pk).status == "unused"


def test_policy_page_is_the_single_row_and_saves_through_the_service(staff_client: Client, staff: User) -> None:
    response = staff_client.get("/admin/marketing/pricingpolicy/")
    assert response.status_code == 302
    page = staff_client.get(response["Location"]).content.decode()
    assert "默认规则" in page
    data = {
        "shop_coupons_stack": "on",
        "platform_coupons_stack": "on",
        "coupons_per_group": "1",
        "special_price_lines_take_coupons": "on",
        "same_type": "best",
        "points_cap_rate": "0.3",
        "points_per_yuan": "100",
        "points_earned_per_yuan": "2",
    }
    assert staff_client.post(response["Location"], data).status_code == 302
    policy = PricingPolicy.load()
    assert (policy.category_coupons_stack, policy.points_cap_rate, policy.points_earned_per_yuan) == (
        False,
        Decimal("0.3"),
        2,
    )
    assert AuditLog.objects.filter(action="pricing_policy.update", actor=staff).exists()
    bad = staff_client.post(response["Location"], {**data, "points_cap_rate": "1.5"})
    assert bad.status_code == 200
    assert "积分抵扣上限比例" in str(bad.context["adminform"].form.errors)


def test_tier_rate_is_edited_through_the_service(staff_client: Client) -> None:
    row, _ = TierRate.objects.get_or_create(tier="gold", defaults={"rate": Decimal("0.9")})
    response = staff_client.post(f"/admin/marketing/tierrate/{row.pk}/change/", {"rate": "0.88"})
    assert response.status_code == 302
    assert TierRate.objects.get(pk=row.pk).rate == Decimal("0.88")
    refused = staff_client.post(f"/admin/marketing/tierrate/{row.pk}/change/", {"rate": "1.5"})
    assert "折扣率须大于 0" in str(refused.context["adminform"].form.errors)
