"""The finance export (P06 point 4): an xlsx with an orders sheet and a lines sheet, or either as a
csv, for paid orders in a range of shop days and states; amounts in yuan, with totals rows.

Only finance and the owner (``orders.view_payment``) may export. Every export is audited before
the file is written: who, the days, the states, the format and the row counts. Files are written
row by row from chunked queries: the xlsx through openpyxl's write-only mode into a temporary
file, the csv as a streamed response body, so memory stays bounded however long the range.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from mall.errors import PermissionDenied
from mall.models import SheetJob
from mall.money import yuan_text
from mall.services.audit import audit_record
from mall.services.sheet_jobs import JobRun, sheet_job_create
from mall.services.sheets import SheetWriter
from orders.models import OrderLine
from orders.selectors.finance_export import (
    FinanceRange,
    FinanceTotals,
    finance_line_rows,
    finance_orders,
    finance_rows,
    line_header,
    line_totals_row,
    order_header,
    order_totals_row,
)
from orders.services.privacy import phone_reveal_allowed

Actor = AbstractBaseUser | AnonymousUser | None

FINANCE_EXPORT_PERMISSION = "orders.view_payment"
JOB_FORMAT_XLSX = "xlsx"
JOB_FORMAT_CSV_ORDERS = "csv-orders"
JOB_FORMAT_CSV_LINES = "csv-lines"
PROGRESS_EVERY = 500
SHEET_ORDERS = "orders"
SHEET_LINES = "lines"


def finance_export_allowed(*, actor: Actor) -> bool:
    if actor is None or not getattr(actor, "is_staff", False):
        return False
    return bool(getattr(actor, "has_perm", lambda _perm: False)(FINANCE_EXPORT_PERMISSION))


@transaction.atomic
def finance_export_record(*, actor: Actor, selection: FinanceRange, fmt: str) -> dict[str, int]:
    """Checks the permission and audits the export; returns the row counts it will hold."""
    if not finance_export_allowed(actor=actor):
        raise PermissionDenied(details={"permission": FINANCE_EXPORT_PERMISSION})
    orders = finance_orders(selection=selection)
    counts = {
        "rows": orders.count(),
        "lines": OrderLine.objects.filter(order__in=orders.values("pk")).count(),
    }
    # target_type names the model so the audit page shows the states by their Chinese names.
    audit_record(
        actor=actor,
        action="export.finance_orders",
        target_type="orders.order",
        data={
            "first_day": selection.first_day.isoformat(),
            "last_day": selection.last_day.isoformat(),
            "status": list(selection.states),
            "format": fmt,
            "phones_revealed": phone_reveal_allowed(actor=actor),
            **counts,
        },
    )
    return counts


def finance_export_xlsx(*, actor: Actor, selection: FinanceRange) -> tuple[IO[bytes], FinanceTotals]:
    """A temporary file holding the workbook (rewound), and the totals it shows."""
    finance_export_record(actor=actor, selection=selection, fmt="xlsx")
    reveal = phone_reveal_allowed(actor=actor)
    book = Workbook(write_only=True)
    orders_sheet = book.create_sheet(title=str(_("订单")))
    lines_sheet = book.create_sheet(title=str(_("商品明细")))
    orders_sheet.append(order_header())
    lines_sheet.append(line_header())
    totals = FinanceTotals()
    pending_lines: list[list[Any]] = []
    for row in finance_rows(selection=selection, reveal=reveal, totals=totals, line_rows=pending_lines):
        orders_sheet.append(_xlsx_row(orders_sheet, row))
        for line in pending_lines:
            lines_sheet.append(_xlsx_row(lines_sheet, line))
        pending_lines.clear()
    orders_sheet.append(_xlsx_row(orders_sheet, order_totals_row(totals)))
    lines_sheet.append(_xlsx_row(lines_sheet, line_totals_row(totals)))
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    book.save(target)
    target.seek(0)
    return target, totals


def _xlsx_row(sheet: WriteOnlyWorksheet, row: Sequence[Any]) -> list[Any]:
    """Money (``Decimal`` yuan) as numbers shown with two decimals, so Excel can sum them."""
    cells: list[Any] = []
    for value in row:
        if isinstance(value, Decimal):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "0.00"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_chunks(header: Sequence[str], rows: Iterator[list[Any]], totals_row: Any) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow(header)).encode("utf-8")
    for row in rows:
        yield writer.writerow(row).encode("utf-8")
    yield writer.writerow(totals_row()).encode("utf-8")


def finance_export_csv(*, actor: Actor, selection: FinanceRange, sheet: str) -> Iterator[bytes]:
    """The orders or the lines sheet as csv (UTF-8 with BOM for Excel), produced as it is read."""
    finance_export_record(actor=actor, selection=selection, fmt="csv")
    totals = FinanceTotals()
    if sheet == SHEET_LINES:
        return _csv_chunks(
            line_header(), finance_line_rows(selection=selection, totals=totals), lambda: line_totals_row(totals)
        )
    reveal = phone_reveal_allowed(actor=actor)
    return _csv_chunks(
        order_header(),
        finance_rows(selection=selection, reveal=reveal, totals=totals),
        lambda: order_totals_row(totals),
    )


def finance_export_job_create(*, actor: Actor, selection: FinanceRange, fmt: str) -> SheetJob:
    """Queue the export as a background job (a long range); audited now, like the inline one."""
    with transaction.atomic():
        counts = finance_export_record(actor=actor, selection=selection, fmt=fmt)
        return sheet_job_create(
            kind=SheetJob.Kind.FINANCE_EXPORT,
            actor=actor,
            params={
                "first_day": selection.first_day.isoformat(),
                "last_day": selection.last_day.isoformat(),
                "states": list(selection.states),
                "format": fmt,
            },
            total=counts["rows"],
        )


def finance_export_job_run(run: JobRun) -> str:
    """The same sheets as the inline export, with totals rows, written into the job's file."""
    params = run.job.params
    selection = FinanceRange(
        first_day=date.fromisoformat(params["first_day"]),
        last_day=date.fromisoformat(params["last_day"]),
        states=tuple(params.get("states") or ()),
    )
    fmt = str(params.get("format") or JOB_FORMAT_XLSX)
    reveal = phone_reveal_allowed(actor=run.actor)
    run.set_total(finance_orders(selection=selection).count())
    totals = FinanceTotals()
    done = 0
    stem = f"finance-orders-{selection.first_day:%Y%m%d}-{selection.last_day:%Y%m%d}"
    if fmt == JOB_FORMAT_CSV_LINES:
        writer = SheetWriter("csv")
        writer.append(line_header())
        for line in finance_line_rows(selection=selection, totals=totals):
            writer.append(line)
        writer.append(line_totals_row(totals))
        content = writer.finish()
        run.save_result(content, name=f"{stem}-{SHEET_LINES}.csv")
        content.close()
        return _("已导出 %(n)d 行商品明细。") % {"n": totals.lines}
    else:
        xlsx = fmt == JOB_FORMAT_XLSX
        writer = SheetWriter("xlsx", titles=[_("订单"), _("商品明细")]) if xlsx else SheetWriter("csv")
        writer.append(order_header())
        if xlsx:
            writer.sheet(1)
            writer.append(line_header())
        pending: list[list[Any]] = []
        for row in finance_rows(selection=selection, reveal=reveal, totals=totals, line_rows=pending if xlsx else None):
            writer.sheet(0)
            writer.append(row)
            writer.sheet(1)
            for line in pending:
                writer.append(line)
            pending.clear()
            done += 1
            if done % PROGRESS_EVERY == 0:
                run.progress(done)
        writer.sheet(0)
        writer.append(order_totals_row(totals))
        if xlsx:
            writer.sheet(1)
            writer.append(line_totals_row(totals))
        name = f"{stem}.xlsx" if xlsx else f"{stem}-{SHEET_ORDERS}.csv"
    content = writer.finish()
    run.save_result(content, name=name)
    content.close()
    return _("已导出 %(n)d 笔订单，实收合计 %(net)s。") % {"n": totals.orders, "net": yuan_text(totals.net)}
