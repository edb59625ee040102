"""messages_send_bulk: many inbox messages in one insert, each push decided as message_send does."""

from __future__ import annotations

import pytest

from members.models import Message, SubscribeTemplate
from members.services.messages import MessageDraft, messages_send_bulk
from members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_bulk_messages_reach_the_inbox_and_only_mapped_pushable_ones_wait_for_a_push() -> None:
    SubscribeTemplate.objects.create(kind="journey_dormant", template_id="TPL-D", fields={"thing1": "title"})
    a, b, c, d = MemberFactory.create_batch(4)
    ids = messages_send_bulk(
        drafts=[
            MessageDraft(
                member_id=a.pk, kind="journey_dormant", title="好久不见", link="/package-journey/comeback/index"
            ),
            MessageDraft(member_id=b.pk, kind="journey_dormant", title="好久不见", push=False),
            MessageDraft(member_id=c.pk, kind="journey_dormant", title="好久不见", skip_reason="no_consent"),
            MessageDraft(member_id=d.pk, kind="journey_birthday", title="生日快乐"),  # no template mapped
        ]
    )
    assert len(ids) == 4
    rows = {m.member_id: m for m in Message.objects.filter(pk__in=ids)}
    assert (rows[a.pk].push_status, rows[a.pk].link) == ("pending", "/package-journey/comeback/index")
    assert rows[b.pk].push_status == "none"
    assert (rows[c.pk].push_status, rows[c.pk].skip_reason) == ("skipped", "no_consent")
    assert rows[d.pk].push_status == "none"
    assert [rows[m.pk].pk for m in (a, b, c, d)] == ids
    assert messages_send_bulk(drafts=[]) == []
