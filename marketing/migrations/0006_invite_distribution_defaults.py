"""Defaults a shop starts with: F04's programme (3 invitees → a 20-yuan no-threshold coupon each,
10% of invitees' orders as points) and F06's (10% commission, 5–15% per product, 7-day
attribution, 7-day after-sales window, 10-yuan minimum withdrawal)."""

from decimal import Decimal

from django.db import migrations

REWARD_TEMPLATE = {
    "name": "邀请有礼 无门槛20元",
    "kind": "no_threshold",
    "group": "shop",
    "channel": "system",
    "threshold": 0,
    "off": 2000,
    "valid_days": 30,
    # Once as an invitee, and as an inviter as many times as the programme allows (default 1).
    "per_user_limit": 10,
}


def forwards(apps, schema_editor):
    CouponTemplate = apps.get_model("marketing", "CouponTemplate")
    InviteProgram = apps.get_model("marketing", "InviteProgram")
    DistributionProgram = apps.get_model("marketing", "DistributionProgram")
    if not InviteProgram.objects.filter(pk=1).exists():
        template = CouponTemplate.objects.create(**REWARD_TEMPLATE)
        InviteProgram.objects.create(
            pk=1, is_active=True, threshold=3, reward_template=template, reward_limit=1, points_rate=Decimal("0.1")
        )
    DistributionProgram.objects.get_or_create(pk=1)


def backwards(apps, schema_editor):
    """Leave the rows: the merchant may have edited them."""


class Migration(migrations.Migration):
    dependencies = [("marketing", "0005_invites_distribution")]

    operations = [migrations.RunPython(forwards, backwards)]
