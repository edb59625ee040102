"""Defaults a new shop starts with: F14 tier rates, the default stacking policy, F01's new-user pack."""

from decimal import Decimal

from django.db import migrations

TIER_RATES = {"normal": "1", "silver": "0.95", "gold": "0.9", "diamond": "0.85"}

# F01: 满50减20, 满100减30, 无门槛10, usable for 7 days after registration (fen).
NEW_USER_PACK = [
    {"name": "新人券 满50减20", "kind": "amount_off", "threshold": 5000, "off": 2000},
    {"name": "新人券 满100减30", "kind": "amount_off", "threshold": 10000, "off": 3000},
    {"name": "新人券 无门槛10元", "kind": "no_threshold", "threshold": 0, "off": 1000},
]


def forwards(apps, schema_editor):
    TierRate = apps.get_model("marketing", "TierRate")
    PricingPolicy = apps.get_model("marketing", "PricingPolicy")
    CouponTemplate = apps.get_model("marketing", "CouponTemplate")
    for tier, rate in TIER_RATES.items():
        TierRate.objects.get_or_create(tier=tier, defaults={"rate": Decimal(rate)})
    PricingPolicy.objects.get_or_create(pk=1)
    if not CouponTemplate.objects.filter(channel="new_user_pack").exists():
        for template in NEW_USER_PACK:
            CouponTemplate.objects.create(
                **template, group="shop", channel="new_user_pack", valid_days=7, per_user_limit=1, new_user_only=True
            )


def backwards(apps, schema_editor):
    """Leave the rows: the merchant may have edited them."""


class Migration(migrations.Migration):
    dependencies = [("marketing", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
