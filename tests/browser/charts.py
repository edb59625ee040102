"""Reading the console's Chart.js charts from a browser test.

unfold's ``app.js`` draws every ``canvas.chart`` on the window's ``load`` event, which comes
after the page's text is already there for ``expect`` to find. A test that asks Chart.js for a
chart straight after checking the text can therefore race the drawing; these helpers wait for
every chart on the page to exist first.
"""

from __future__ import annotations

from typing import Any

ALL_DRAWN = (
    "() => window.Chart !== undefined"
    " && [...document.querySelectorAll('canvas.chart')].every(c => Chart.getChart(c) !== undefined)"
)


def charts_of(page: Any, script: str) -> Any:
    """``script`` (a JS function over the page) evaluated once every chart is drawn."""
    page.wait_for_function(ALL_DRAWN)
    return page.evaluate(script)


def first_chart_labels(page: Any) -> int:
    """How many labels (days, usually) the page's first chart plots."""
    return int(charts_of(page, "() => Chart.getChart(document.querySelector('canvas.chart')).data.labels.length"))
