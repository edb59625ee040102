"""``seed_demo`` shows templates: the 618 linked to its page, a 年货节 draft from the built-in
template, and the 618 kept as a saved template, once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from mall.demo.marketing import build_marketing
from mall.demo.pages import SALE_SLUG, build_pages
from mall.demo.shop import build_catalogue
from mall.demo.studio import LIVE_NAME, build_studio
from mall.demo.tmpl import DRAFT_NAME, SAVED_NAME, build_tmpl
from marketing.models import Campaign, CampaignStatus, CampaignTemplate

pytestmark = pytest.mark.django_db


def test_the_demo_links_the_618_page_makes_a_template_draft_and_saves_a_template_once() -> None:
    User.objects.create_superuser(username="owner", password="x")
    build_catalogue(seed=1)
    build_marketing()
    build_pages()
    build_studio()

    assert build_tmpl() == {"campaign_templates": 3}

    assert Campaign.objects.get(name=LIVE_NAME).page.slug == SALE_SLUG  # type: ignore[union-attr]
    draft = Campaign.objects.get(name=DRAFT_NAME)
    assert draft.status == CampaignStatus.DRAFT and draft.page is not None and draft.tools.count() == 3
    saved = CampaignTemplate.objects.get(name=SAVED_NAME)
    assert [tool["kind"] for tool in saved.data["tools"]] == ["coupon", "promotion"]
    assert build_tmpl() == {"campaign_templates": 0}
    assert CampaignTemplate.objects.count() == 1
