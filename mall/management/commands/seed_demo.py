"""Loads the demo shop: categories and products with pictures, staff per role, shoppers, order history."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mall.demo.after_sales import build_after_sales
from mall.demo.anomaly import build_anomaly
from mall.demo.attribution import build_attribution
from mall.demo.behaviour import build_behaviour
from mall.demo.checkin import build_checkin
from mall.demo.community import build_community
from mall.demo.duty import build_duty
from mall.demo.growth import build_growth
from mall.demo.jobs import build_jobs
from mall.demo.journeys import build_journeys
from mall.demo.live import build_live
from mall.demo.marketing import build_marketing
from mall.demo.pages import build_pages
from mall.demo.people import build_people
from mall.demo.sheets import build_sheets
from mall.demo.shop import build_catalogue, build_shoppers_and_history, build_staff
from mall.demo.studio import build_studio
from mall.demo.suggestions import build_suggestions
from mall.demo.team import build_team
from mall.demo.tiers import build_tiers
from mall.demo.tmpl import build_tmpl
from mall.demo.tool_history import build_tool_history
from mall.demo.topics import build_topics
from mall.demo.uplift import build_uplift
from mall.demo.whatif import build_whatif
from mall.demo.wheel import build_wheel


class Command(BaseCommand):
    help = "Create the demo shop (idempotent: what already exists is left alone)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--shoppers", type=int, default=200, help="How many demo shoppers (default 200).")
        parser.add_argument("--days", type=int, default=90, help="Days of order history (default 90).")
        parser.add_argument("--seed", type=int, default=20240618, help="Random seed (same seed, same shop).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        seed = options["seed"]
        counts = build_catalogue(seed=seed)
        logins = build_staff()
        counts.update(build_shoppers_and_history(seed=seed, shoppers=options["shoppers"], days=max(1, options["days"])))
        counts.update(build_marketing())
        counts.update(build_growth())
        counts.update(build_tool_history(seed=seed))
        counts.update(build_after_sales())
        counts.update(build_behaviour(seed=seed))
        counts.update(build_tiers())
        counts.update(build_checkin(seed=seed))
        counts.update(build_team(seed=seed))
        counts.update(build_wheel(seed=seed))
        counts.update(build_people())
        counts.update(build_uplift(seed=seed))
        counts.update(build_journeys(seed=seed))
        counts.update(build_attribution(seed=seed))
        counts.update(build_sheets())
        counts.update(build_jobs())
        counts.update(build_suggestions())
        counts.update(build_pages())
        counts.update(build_topics())
        counts.update(build_community(seed=seed))
        counts.update(build_live())
        counts.update(build_studio())
        counts.update(build_whatif())
        counts.update(build_tmpl())
        counts.update(build_anomaly())
        counts.update(build_duty())  # after the anomaly: its handled alert reaches nobody
        counts["staff"] = sum(1 for login in logins if login.created)
        created = {name: n for name, n in counts.items() if n}
        if created:
            summary = ", ".join(f"{name} {n}" for name, n in created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo shop created ({time.monotonic() - started:.1f}s): {summary}"))
        else:
            self.stdout.write("Demo shop already present: nothing changed.")
        self.stdout.write("Console logins (/admin/):")
        for login in logins:
            state = "created" if login.created else "exists, password unchanged"
            self.stdout.write(f"  {login.username:<9} / {login.password:<18} role {login.group} ({state})")
            if login.otp_key:
                self.stdout.write(
                    f"  {'':<9}   two-step key {login.otp_key} (authenticator app, or `manage.py demo_otp_code`)"
                )
