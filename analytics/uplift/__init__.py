"""Holdout uplift (B03): pure statistics over per-shopper figures, no Django."""
