"""The merchant's topics (话题) of the 种草社区 (F23): saved and deleted with an audit row.

A topic with posts is not deleted (the posts would lose it silently): it is switched off
instead, which hides it from the compose page and the feed's chips.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from mall.services.audit import audit_record
from marketing.community_errors import TopicNameRequired, TopicSlugTaken
from marketing.models import CommunityTopic


@transaction.atomic
def community_topic_save(*, actor: AbstractBaseUser | None, topic: CommunityTopic) -> CommunityTopic:
    topic.name = (topic.name or "").strip()
    topic.slug = (topic.slug or "").strip().lower()
    if not topic.name or not topic.slug:
        raise TopicNameRequired(details={"field": "name" if not topic.name else "slug"})
    if CommunityTopic.objects.filter(slug=topic.slug).exclude(pk=topic.pk).exists():
        raise TopicSlugTaken(details={"slug": topic.slug})
    created = topic.pk is None
    topic.save()
    audit_record(
        actor=actor,
        action="community_topic.create" if created else "community_topic.update",
        target=topic,
        data={"slug": topic.slug, "name": topic.name, "is_active": topic.is_active},
    )
    return topic


@transaction.atomic
def community_topic_delete(*, actor: AbstractBaseUser | None, topic_id: int) -> bool:
    """Delete an unused topic; one with posts is switched off instead (returns False)."""
    topic = CommunityTopic.objects.select_for_update().filter(pk=topic_id).first()
    if topic is None:
        return False
    if topic.posts.exists():
        topic.is_active = False
        topic.save(update_fields=["is_active"])
        audit_record(actor=actor, action="community_topic.update", target=topic, data={"is_active": False})
        return False
    audit_record(actor=actor, action="community_topic.delete", target=topic, data={"slug": topic.slug})
    topic.delete()
    return True
