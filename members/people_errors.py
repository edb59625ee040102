"""Refusals of tags, segments and segment campaigns (issue 14). Stable codes, Chinese messages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mall.errors import Conflict, PermissionDenied, ValidationFailed


class TagNameInvalid(ValidationFailed):
    code = "tag_name_invalid"
    default_message = _("标签名称需为 1 到 30 个字符。")


class TagNameTaken(Conflict):
    code = "tag_name_taken"
    default_message = _("已有同名标签。")


class TagNotManual(Conflict):
    code = "tag_not_manual"
    default_message = _("自动标签由规则维护，不能手动添加或移除。")


class TagRuleParamsInvalid(ValidationFailed):
    code = "tag_rule_params_invalid"
    default_message = _("规则阈值无效。")


class TagImportInvalid(ValidationFailed):
    code = "tag_import_invalid"
    default_message = _("导入表有误，未做任何修改。")


class SegmentRulesInvalid(ValidationFailed):
    code = "segment_rules_invalid"
    default_message = _("人群规则无效。")


class SegmentNameTaken(Conflict):
    code = "segment_name_taken"
    default_message = _("已有同名人群。")


class CampaignInvalid(ValidationFailed):
    code = "segment_campaign_invalid"
    default_message = _("人群活动设置无效。")


class CampaignAlreadyStarted(Conflict):
    code = "segment_campaign_started"
    default_message = _("活动已开始，不能再次发放。")


class AudienceNotAllowed(PermissionDenied):
    code = "audience_not_allowed"
    default_message = _("该活动仅限指定会员参与。")
