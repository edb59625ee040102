"""Stable error codes of the 种草社区 (F23), kept apart from ``marketing.errors`` like
``members.people_errors`` so the community's vocabulary reads in one place."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mall.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class PostNotFound(NotFound):
    code = "community_post_not_found"
    default_message = _("帖子不存在或已删除。")


class PostInvalid(ValidationFailed):
    code = "community_post_invalid"
    default_message = _("帖子内容不符合要求。")


class PostMediaInvalid(ValidationFailed):
    code = "community_media_invalid"
    default_message = _("图片或视频不可用，请重新上传。")


class PostNotOwned(PermissionDenied):
    code = "community_post_not_owned"
    default_message = _("只能删除自己的帖子。")


class PostNotReviewable(Conflict):
    code = "community_post_not_reviewable"
    default_message = _("帖子当前状态不能执行该操作。")


class PostNotPublished(Conflict):
    code = "community_post_not_published"
    default_message = _("帖子尚未发布，暂不能互动。")


class CommentInvalid(ValidationFailed):
    code = "community_comment_invalid"
    default_message = _("评论内容不符合要求。")


class CommentNotFound(NotFound):
    code = "community_comment_not_found"
    default_message = _("评论不存在。")


class ReportDuplicate(Conflict):
    code = "community_report_duplicate"
    default_message = _("您已举报过该帖子，我们会尽快处理。")


class ReportNotFound(NotFound):
    code = "community_report_not_found"
    default_message = _("举报不存在。")


class TopicInvalid(ValidationFailed):
    code = "community_topic_invalid"
    default_message = _("话题不存在或已停用。")


class RejectReasonRequired(ValidationFailed):
    code = "community_reject_reason_required"
    default_message = _("请填写驳回原因。")


class PushSignatureInvalid(PermissionDenied):
    code = "wechat_push_signature_invalid"
    default_message = _("消息推送签名校验失败。")


class TopicSlugTaken(Conflict):
    code = "community_topic_slug_taken"
    default_message = _("已有相同标识的话题。")


class TopicNameRequired(ValidationFailed):
    code = "community_topic_name_required"
    default_message = _("请填写话题名称和标识。")
