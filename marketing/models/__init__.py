"""Models of this app; each entity family in its own module, re-exported here."""
