import pickle
import pytest
from django.core.cache import cache
from marketing.selectors.pricing_rules import pricing_rules_active, pricing_rules_version, RULES_KEY
from marketing.tests.selectors.test_pricing_fetch import busy_shop  # noqa

@pytest.mark.django_db
def test_dbg(busy_shop):
    r = pricing_rules_active()
    v = pricing_rules_version()
    print("version", r.version, v)
    got = cache.get(RULES_KEY.format(version=v))
    print("got", type(got))
    try:
        pickle.dumps(r)
    except Exception as e:
        print("pickle fail", repr(e))
    for p in r.promotions:
        try:
            pickle.dumps(p)
        except Exception as e:
            print("promo fail", p.type, repr(e))
