"""Writing a sheet for download: xlsx (openpyxl, write-only) or csv in UTF-8 with a BOM so Excel
opens Chinese correctly."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook


def xlsx_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = "Sheet1") -> bytes:
    book = Workbook(write_only=True)
    worksheet = book.create_sheet(title=title[:31])
    worksheet.append(list(header))
    for row in rows:
        worksheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
