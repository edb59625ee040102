"""``manage.py segment_count FILE``: count a segment rule file, print ``{"count": n}``.

FILE holds a rule tree (``{"op": …, "conditions": […]}``) or an exported segment (``{"rules": …}``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mall.errors import ApplicationError
from members.selectors.segments import segment_count


class Command(BaseCommand):
    help = 'Count the shoppers matching a segment rule file and print {"count": n}.'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read rule file: {exc}") from exc
        rules = data.get("rules", data) if isinstance(data, dict) else data
        try:
            count = segment_count(rules)
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.details}") from exc
        self.stdout.write(json.dumps({"count": count}))
