from analytics.models.attribution import LineFigure, OrderTouch, ProductDailyFigure, Tool, ToolDailyFigure
from analytics.models.event import Event

__all__ = ["Event", "LineFigure", "OrderTouch", "ProductDailyFigure", "Tool", "ToolDailyFigure"]
