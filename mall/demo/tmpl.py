"""The demo shop's campaign templates (F27) and campaign pages: the running "618 年中大促" is
linked to the demo's "618" page (so the campaign page shows its page and the API its slug), a
"年货节" draft is made from the built-in template starting next week (its page and tools in
draft, ready to tweak), and the 618 is kept as a saved template on the 活动模板 page. A second
run finds them and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from mall.demo.pages import SALE_SLUG
from mall.demo.studio import LIVE_NAME
from marketing.campaign_templates import BUILTIN_TEMPLATES
from marketing.errors import CampaignTemplateInvalid
from marketing.models import Campaign, CampaignPage, CampaignTemplate
from marketing.services.campaign_templates import campaign_from_template, campaign_template_save
from marketing.services.campaigns import campaign_page_link

DRAFT_NAME = "年货节（模板示例）"
SAVED_NAME = "618 年中大促（我的模板）"


def _owner() -> User | None:
    return User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()


def _draft_from_template(owner: User, now: datetime) -> int:
    """The 年货节 draft on the first day from next week whose flash slot fits the demo's flash
    calendar (整点 slots may not overlap)."""
    for days in range(7, 21):
        local = timezone.localtime(now) + timedelta(days=days)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            with transaction.atomic():
                campaign_from_template(
                    actor=owner, template=BUILTIN_TEMPLATES["new_year"], starts_at=start, name=DRAFT_NAME, now=now
                )
        except CampaignTemplateInvalid:
            continue
        return 1
    return 0


@transaction.atomic
def build_tmpl(*, now: datetime | None = None) -> dict[str, int]:
    owner = _owner()
    if owner is None:
        return {"campaign_templates": 0}
    now = now or timezone.now()
    made = 0
    live = Campaign.objects.filter(name=LIVE_NAME, page__isnull=True).first()
    page = CampaignPage.objects.filter(slug=SALE_SLUG, campaign__isnull=True).first()
    if live is not None and page is not None:
        campaign_page_link(actor=owner, campaign_id=live.pk, page_id=page.pk)
        made += 1
    if not Campaign.objects.filter(name=DRAFT_NAME).exists():
        made += _draft_from_template(owner, now)
    linked = Campaign.objects.filter(name=LIVE_NAME).first()
    if linked is not None and not CampaignTemplate.objects.filter(name=SAVED_NAME).exists():
        campaign_template_save(actor=owner, campaign_id=linked.pk, name=SAVED_NAME, description="由演示店铺的 618 保存")
        made += 1
    return {"campaign_templates": made}
