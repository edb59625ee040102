from analytics.models.attribution import LineFigure, OrderTouch, ProductDailyFigure, Tool, ToolDailyFigure
from analytics.models.event import Event
from analytics.models.events import BehaviourEvent, DeviceLink
from analytics.models.rollups import EventDay, FunnelDay, HourDay, LeaveDay, PageDay, PathDay, ProductDay
from analytics.models.suggestions import Suggestion, SuggestionKind, SuggestionState

__all__ = [
    "BehaviourEvent",
    "DeviceLink",
    "Event",
    "EventDay",
    "FunnelDay",
    "HourDay",
    "LeaveDay",
    "LineFigure",
    "OrderTouch",
    "PageDay",
    "PathDay",
    "ProductDailyFigure",
    "ProductDay",
    "Suggestion",
    "SuggestionKind",
    "SuggestionState",
    "Tool",
    "ToolDailyFigure",
]
