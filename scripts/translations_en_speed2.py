"""English for the msgids lane `speed2` (issue 12, second pass) added: none — the lane changed
how checkout reads and answers, not what anyone reads."""

EN: dict[str, str] = {}
