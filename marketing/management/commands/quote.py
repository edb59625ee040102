"""``manage.py quote FILE [--check]``: price a scenario file with the pure engine.

Merchants and developers try a rule set here before publishing it. No database rows are
read: the file carries the catalog, the shopper, the rules and the wallet. Exit status:
0 priced (or refused with a stable error code, printed as JSON), 1 ``--check`` mismatch,
2 the file cannot be read (one line on stderr naming the field).
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from marketing.pricing import (
    PricingError,
    ScenarioError,
    error_to_dict,
    load_scenario,
    mismatches,
    quote,
    quote_to_dict,
)
from marketing.pricing.scenario import scenario_shipping
from marketing.pricing.shipping import ShippingQuote


class Command(BaseCommand):
    help = "Price a pricing-scenario JSON file and print the quote as JSON (--check compares with its expect)."
    # The engine reads only the file: skip the system checks (some query the database), so the
    # command also works on a fresh clone before ``migrate``.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="path to a scenario JSON file")
        parser.add_argument(
            "--check", action="store_true", help="compare with the file's expect; exit 1 and say what differs"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            scenario = load_scenario(options["file"])
        except ScenarioError as exc:
            raise CommandError(str(exc), returncode=2) from None
        shipping: ShippingQuote | None = None
        try:
            result: Any = quote(scenario.request)
            shipping = scenario_shipping(scenario, result)
            output = quote_to_dict(result, shipping)
        except PricingError as exc:
            result = exc
            output = error_to_dict(exc)
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
        if options["check"]:
            problems = mismatches(scenario.expect, result, shipping)
            if problems:
                raise CommandError("expect mismatch: " + "; ".join(problems), returncode=1)
