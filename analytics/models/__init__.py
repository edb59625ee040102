from analytics.models.event import Event

__all__ = ["Event"]
