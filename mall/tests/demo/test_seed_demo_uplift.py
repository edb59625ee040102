"""The demo shop's holdout uplift (B03): one segment campaign that clearly worked and one whose
interval crosses zero, so the 对照组效果 pages show both verdicts; a second seed adds nothing."""

from __future__ import annotations

import pytest

from analytics.selectors.uplift import global_holdout_uplift, segment_campaign_uplift
from mall.demo.shop import build_catalogue, build_shoppers_and_history
from mall.demo.uplift import FLAT, WORKED, build_uplift
from members.models import SegmentCampaign

pytestmark = pytest.mark.django_db
SEED = 20240618


def test_demo_shows_a_significant_and_a_not_significant_campaign():
    build_catalogue(seed=SEED)
    build_shoppers_and_history(seed=SEED, shoppers=200, days=90)
    counts = build_uplift(seed=SEED)
    assert (counts["uplift campaigns"], counts["global holdout"]) == (2, 1) and counts["uplift orders"] > 0
    worked = segment_campaign_uplift(campaign_id=SegmentCampaign.objects.get(name=WORKED).pk)
    flat = segment_campaign_uplift(campaign_id=SegmentCampaign.objects.get(name=FLAT).pk)
    assert worked is not None and worked.result is not None and flat is not None and flat.result is not None
    assert worked.finished and worked.holdout > 50 and worked.treated > 50
    assert worked.result.significant and worked.result.gmv_diff.low > 0
    assert worked.cost > 0 and worked.result.roi is not None and worked.result.roi.low > 0
    assert not flat.result.significant
    found = global_holdout_uplift()
    assert found.holdout.active and found.holdout.percent == 5
    assert found.report is not None and found.report.holdout > 0 and found.report.result is not None
    assert build_uplift(seed=SEED) == {"uplift campaigns": 0, "uplift orders": 0, "global holdout": 0}
