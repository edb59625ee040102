"""Custom console pages beside the Django admin, mounted at /console/ (behind the admin login)."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import path

from analytics.console.behaviour import behaviour_view
from analytics.console.roi import live_json_view, live_view, roi_export_view, roi_view
from analytics.console.suggestions import suggestion_decide_view, suggestions_view
from analytics.console.uplift import (
    global_holdout_uplift_view,
    journey_uplift_view,
    segment_campaign_uplift_view,
    uplift_overview_view,
)
from mall.console.duty import duty_roster_view
from mall.console.schedules import scheduled_jobs_view
from mall.console.security_views import (
    login_locks_view,
    login_unlock_view,
    otp_setup_view,
    otp_verify_view,
    security_view,
)
from mall.console.sheet_jobs import (
    sheet_job_download_view,
    sheet_job_progress_view,
    sheet_job_view,
    sheet_jobs_view,
)
from mall.console.views import staff_create_view
from marketing.console.campaign_anomaly import anomaly_alerts_view
from marketing.console.campaign_calendar import campaign_calendar_view, campaign_overlap_view
from marketing.console.campaign_templates import campaign_template_export_view, campaign_templates_view
from marketing.console.campaigns import campaign_new_view, campaign_view
from marketing.console.community_stats import community_stats_view
from marketing.console.flash_sales import flash_calendar_view, flash_slot_new_view, flash_slot_view
from marketing.console.growth_stats import growth_stats_view
from marketing.console.journeys_admin import journey_report_view
from marketing.console.live import live_room_new_view, live_room_view
from marketing.console.page_tools import page_tool_view
from marketing.console.pages import page_editor_view, page_flash_view, page_new_view, page_preview_view
from marketing.console.price_check import price_check_view
from marketing.console.teams_admin import team_stats_view
from marketing.console.topics import topic_edit_view, topic_list_view
from marketing.console.whatif import whatif_run_status, whatif_run_view, whatif_view
from marketing.console.wheel_admin import wheel_stats_view
from members.console.checkin_admin import checkin_stats_view
from members.console.layers import layer_playbook_view, layers_view
from members.console.subscribe_stats import subscribe_stats_view
from members.console.tier_service import tier_service_view

app_name = "console"

urlpatterns = [
    path("staff/new/", admin.site.admin_view(staff_create_view), name="staff_create"),
    path("system/jobs/", admin.site.admin_view(scheduled_jobs_view), name="scheduled_jobs"),
    path("system/sheet-jobs/", admin.site.admin_view(sheet_jobs_view), name="sheet_jobs"),
    path("system/sheet-jobs/<int:job_id>/", admin.site.admin_view(sheet_job_view), name="sheet_job"),
    path(
        "system/sheet-jobs/<int:job_id>/progress/",
        admin.site.admin_view(sheet_job_progress_view),
        name="sheet_job_progress",
    ),
    # F31: the duty roster (系统 › 值班) and the alerts its staff were sent
    path("system/duty/", admin.site.admin_view(duty_roster_view), name="duty_roster"),
    path(
        "system/sheet-jobs/<int:job_id>/download/",
        admin.site.admin_view(sheet_job_download_view),
        name="sheet_job_download",
    ),
    # Sign-in security (P05): the second-factor step and binding pages sit outside admin_view's
    # own checks on purpose (a not-yet-verified session must reach them); they check is_staff.
    path("security/2fa/verify/", login_required(otp_verify_view), name="otp_verify"),
    path("security/2fa/setup/", login_required(otp_setup_view), name="otp_setup"),
    path("security/", admin.site.admin_view(security_view), name="security"),
    path("security/locks/", admin.site.admin_view(login_locks_view), name="login_locks"),
    path("security/locks/unlock/", admin.site.admin_view(login_unlock_view), name="login_unlock"),
    path("marketing/price-check/", admin.site.admin_view(price_check_view), name="marketing_price_check"),
    path("marketing/whatif/", admin.site.admin_view(whatif_view), name="marketing_whatif"),
    path("marketing/whatif/<int:run_id>/", admin.site.admin_view(whatif_run_view), name="marketing_whatif_run"),
    path(
        "marketing/whatif/<int:run_id>/status/",
        admin.site.admin_view(whatif_run_status),
        name="marketing_whatif_status",
    ),
    path("marketing/growth/", admin.site.admin_view(growth_stats_view), name="marketing_growth_stats"),
    path("marketing/wheel/", admin.site.admin_view(wheel_stats_view), name="marketing_wheel_stats"),
    # F24 live selling: create a room at WeChat; one room's deals, draw and report.
    path("marketing/live/new/", admin.site.admin_view(live_room_new_view), name="marketing_live_new"),
    path("marketing/live/<int:room_id>/", admin.site.admin_view(live_room_view), name="marketing_live_room"),
    path("marketing/journeys/report/", admin.site.admin_view(journey_report_view), name="marketing_journey_report"),
    path("members/subscribe-stats/", admin.site.admin_view(subscribe_stats_view), name="members_subscribe_stats"),
    path("members/checkin-stats/", admin.site.admin_view(checkin_stats_view), name="members_checkin_stats"),
    path("marketing/team-stats/", admin.site.admin_view(team_stats_view), name="marketing_team_stats"),
    path("members/layers/", admin.site.admin_view(layers_view), name="members_layers"),
    path("members/layers/<int:segment_id>/", admin.site.admin_view(layer_playbook_view), name="members_layer_playbook"),
    path("members/tier-service/", admin.site.admin_view(tier_service_view), name="members_tier_service"),
    path("analytics/roi/", admin.site.admin_view(roi_view), name="analytics_roi"),
    path("analytics/roi/export/", admin.site.admin_view(roi_export_view), name="analytics_roi_export"),
    path("analytics/live/<str:tool>/<int:object_id>/", admin.site.admin_view(live_view), name="analytics_live"),
    path(
        "analytics/live/<str:tool>/<int:object_id>/json/",
        admin.site.admin_view(live_json_view),
        name="analytics_live_json",
    ),
    path("marketing/flash/", admin.site.admin_view(flash_calendar_view), name="marketing_flash_calendar"),
    path("analytics/behaviour/", admin.site.admin_view(behaviour_view), name="analytics_behaviour"),
    path("analytics/suggestions/", admin.site.admin_view(suggestions_view), name="analytics_suggestions"),
    path(
        "analytics/suggestions/<int:suggestion_id>/decide/",
        admin.site.admin_view(suggestion_decide_view),
        name="analytics_suggestion_decide",
    ),
    path("analytics/uplift/", admin.site.admin_view(uplift_overview_view), name="analytics_uplift"),
    path(
        "analytics/uplift/global/",
        admin.site.admin_view(global_holdout_uplift_view),
        name="analytics_uplift_global",
    ),
    path(
        "analytics/uplift/campaign/<int:campaign_id>/",
        admin.site.admin_view(segment_campaign_uplift_view),
        name="analytics_uplift_campaign",
    ),
    path(
        "analytics/uplift/journey/<str:kind>/",
        admin.site.admin_view(journey_uplift_view),
        name="analytics_uplift_journey",
    ),
    path("marketing/campaigns/new/", admin.site.admin_view(campaign_new_view), name="marketing_campaign_new"),
    path(
        "marketing/campaigns/anomalies/",
        admin.site.admin_view(anomaly_alerts_view),
        name="marketing_campaign_anomalies",
    ),
    path("marketing/campaigns/<int:campaign_id>/", admin.site.admin_view(campaign_view), name="marketing_campaign"),
    # F28 several at once: the calendar and the overlap detail
    path(
        "marketing/campaigns/calendar/",
        admin.site.admin_view(campaign_calendar_view),
        name="marketing_campaign_calendar",
    ),
    path(
        "marketing/campaigns/overlap/",
        admin.site.admin_view(campaign_overlap_view),
        name="marketing_campaign_overlap",
    ),
    # F27 campaign templates
    path(
        "marketing/campaign-templates/",
        admin.site.admin_view(campaign_templates_view),
        name="marketing_campaign_templates",
    ),
    path(
        "marketing/campaign-templates/<str:key>/export/",
        admin.site.admin_view(campaign_template_export_view),
        name="marketing_campaign_template_export",
    ),
    path("marketing/flash/new/", admin.site.admin_view(flash_slot_new_view), name="marketing_flash_new"),
    path("marketing/flash/<int:slot_id>/", admin.site.admin_view(flash_slot_view), name="marketing_flash_slot"),
    # F26 the page editor
    path("marketing/pages/new/", admin.site.admin_view(page_new_view), name="marketing_page_new"),
    path("marketing/pages/<int:page_id>/", admin.site.admin_view(page_editor_view), name="marketing_page_editor"),
    path(
        "marketing/pages/<int:page_id>/preview/",
        admin.site.admin_view(page_preview_view),
        name="marketing_page_preview",
    ),
    path("marketing/pages/<int:page_id>/flash/", admin.site.admin_view(page_flash_view), name="marketing_page_flash"),
    # F25 topic pages
    path("marketing/topics/", admin.site.admin_view(topic_list_view), name="marketing_topics"),
    path("marketing/topics/<int:page_id>/", admin.site.admin_view(topic_edit_view), name="marketing_topic_edit"),
    # F23 社区数据
    path("marketing/community/stats/", admin.site.admin_view(community_stats_view), name="marketing_community_stats"),
    path(
        "marketing/pages/<int:page_id>/tools/<slug:kind>/",
        admin.site.admin_view(page_tool_view),
        name="marketing_page_tool",
    ),
]
