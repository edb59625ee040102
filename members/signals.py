"""Moments of a member's life other apps hook into (Django signals, sent after the transaction commits).

``member_phone_bound`` — a phone number was bound to a member (``members.services.profile.member_phone_bind``:
the WeChat phone button, or the shopper typing it in their profile). Receivers get ``member_id``,
``phone`` (mainland mobile, 11 digits) and ``source`` ("wechat" or "profile"); e.g. matching imported
customers by phone. A receiver runs once per binding, outside the binding's transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

member_phone_bound = Signal()
