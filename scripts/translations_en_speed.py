"""English for the strings lane "speed" added (issue 12): none — the request-path work adds no
user-visible text (answers, codes and messages are unchanged)."""

EN: dict[str, str] = {}
