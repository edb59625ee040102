"""Demo sheets (issue 21): customers brought over from an old shop waiting for their WeChat account
(phones starting 1700000…, which no demo shopper has), one matched to a demo shopper already
holding the number, and a coupon template granted to a list of twenty shoppers with its report."""

from __future__ import annotations

from django.contrib.auth.models import User

from marketing.models import CouponGrant, CouponTemplate
from marketing.services.coupon_grants import GrantRow, coupon_grant_sheet
from members.models import Member, MemberImport
from members.services.member_import import MemberSheetRow, member_import_create

GRANT_REF = "demo-coupon-grant"
OLD_SHOP = [
    ("17000000001", "周慧", "1988-03-12", "黄金会员", "2600", "老客,直播粉丝", "5280.00"),
    ("17000000002", "陈晨", "", "白银会员", "800", "老客", "1260.50"),
    ("17000000003", "吴芳", "1995-11-02", "", "120", "", "89.90"),
    ("17000000004", "郑磊", "", "钻石会员", "9800", "老客,社群会员", "23800.00"),
]


def build_sheets() -> dict[str, int]:
    counts = {"imported members": 0, "coupon grants": 0}
    owner = User.objects.filter(is_superuser=True).order_by("pk").first()
    if not MemberImport.objects.exists():
        rows = [
            MemberSheetRow(line=i + 2, phone=p, name=n, birthday=b, tier=t, points=pt, tags=tg, total_spend=s)
            for i, (p, n, b, t, pt, tg, s) in enumerate(OLD_SHOP)
        ]
        holder = Member.objects.exclude(phone="").order_by("pk").first()
        if holder is not None and not MemberImport.objects.filter(phone=holder.phone).exists():
            rows.append(MemberSheetRow(line=len(rows) + 2, phone=holder.phone, name="老店会员", points="300"))
        counts["imported members"] = len(member_import_create(rows=rows, actor=owner))
    template = CouponTemplate.objects.filter(is_active=True).order_by("pk").first()
    if owner is not None and template is not None and not CouponGrant.objects.filter(ref=GRANT_REF).exists():
        shoppers = list(Member.objects.order_by("pk").values_list("pk", flat=True)[:20])
        grant_rows = [GrantRow(line=i + 2, value=str(pk)) for i, pk in enumerate(shoppers)]
        grant_rows.append(GrantRow(line=len(grant_rows) + 2, value="17099999999"))
        coupon_grant_sheet(template_id=template.pk, rows=grant_rows, ref=GRANT_REF, actor=owner)
        counts["coupon grants"] = 1
    return counts
