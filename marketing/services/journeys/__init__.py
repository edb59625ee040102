"""Lifecycle journeys (F17–F19): one small module per journey, one runner for all of them."""
