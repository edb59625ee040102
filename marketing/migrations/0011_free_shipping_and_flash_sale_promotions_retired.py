"""包邮 per product and per campaign (issue 10 §4); the 秒杀价 promotion type retired (§5).

A flash sale now always goes through a flash slot or release (quota, Redis gate, anti-abuse
guard). Promotions of the retired ``flash_sale`` type are *ended*, not converted: a slot needs
a quota carved out of the shelf stock, which a running price rule never reserved. A running
one ends now, every one of them is switched off, and each change is written to the audit log.
Rows stay (orders and usage rows point at them) with their type, shown as 秒杀价（已停用）.
"""

from django.core.cache import cache
from django.db import migrations, models
from django.utils import timezone

PRICING_RULES_VERSION_KEY = "marketing:pricing:version"  # marketing.selectors.pricing_rules.VERSION_KEY


def end_flash_sale_promotions(apps, schema_editor):
    Promotion = apps.get_model("marketing", "Promotion")
    AuditLog = apps.get_model("mall", "AuditLog")
    now = timezone.now()
    rows = Promotion.objects.filter(type="flash_sale").filter(models.Q(is_active=True) | models.Q(ends_at__gt=now))
    rows = list(rows.order_by("pk"))
    if not rows:
        return
    for row in rows:
        before = {"is_active": row.is_active, "ends_at": row.ends_at.isoformat()}
        row.is_active = False
        if row.starts_at < now < row.ends_at:
            row.ends_at = now
        row.save(update_fields=["is_active", "ends_at", "updated_at"])
        AuditLog.objects.create(
            actor=None,
            action="promotion.retire_flash_sale",
            target_type="marketing.promotion",
            target_id=str(row.pk),
            data={"before": before, "is_active": False, "ends_at": row.ends_at.isoformat(), "reason": "秒杀价已停用，秒杀请用秒杀场次"},
        )
    cache.delete(PRICING_RULES_VERSION_KEY)  # the next quote reloads the rules without them


class Migration(migrations.Migration):

    dependencies = [
        ('marketing', '0010_identifiers_exact_collation'),
        ('mall', '0002_staff_roles'),
    ]

    operations = [
        migrations.AddField(
            model_name='bargaincampaign',
            name='free_shipping',
            field=models.BooleanField(default=False, help_text='勾选后砍价订单不收运费', verbose_name='包邮'),
        ),
        migrations.AddField(
            model_name='flashitem',
            name='free_shipping',
            field=models.BooleanField(default=False, help_text='勾选后以秒杀价购买时不收运费', verbose_name='包邮'),
        ),
        migrations.AddField(
            model_name='groupbuycampaign',
            name='free_shipping',
            field=models.BooleanField(default=False, help_text='勾选后拼团订单不收运费', verbose_name='包邮'),
        ),
        migrations.AlterField(
            model_name='promotion',
            name='per_user_limit',
            field=models.PositiveIntegerField(blank=True, help_text='按订单计；留空不限', null=True, verbose_name='每人限购'),
        ),
        migrations.AlterField(
            model_name='promotion',
            name='type',
            field=models.CharField(choices=[('limited_discount', '限时折扣'), ('stepped_price', '阶梯价'), ('full_reduction', '满减'), ('full_gift', '满赠'), ('nth_item', '第 N 件优惠'), ('buy_x_get_y', '买 A 送 B')], max_length=20, verbose_name='类型'),
        ),
        migrations.RunPython(end_flash_sale_promotions, migrations.RunPython.noop),
    ]
