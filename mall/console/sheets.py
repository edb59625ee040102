"""Reading an uploaded sheet (xlsx or csv) into text cells, and writing one (xlsx) for download.

Uploads are small console sheets (a few thousand rows): read whole, header recognised by name by
the caller. Numbers Excel stored as floats come back without ``.0`` (phones, ids).
"""

from __future__ import annotations

import csv
import io
from itertools import islice
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from unfold.widgets import UnfoldAdminFileFieldWidget

from mall.services.sheets import SheetUnreadable, cell_text, header_columns, iter_sheet_rows, xlsx_bytes

MAX_BYTES = 2 * 1024 * 1024

__all__ = [
    "LargeSheetUploadForm",
    "SheetUnreadable",
    "SheetUploadForm",
    "cell_text",
    "header_columns",
    "read_cells",
    "runs_as_job",
    "xlsx_bytes",
]


class SheetUploadForm(forms.Form):
    sheet = forms.FileField(label=_("表格文件"), widget=UnfoldAdminFileFieldWidget)
    # Larger files are accepted by forms whose sheets may run as background jobs.
    max_bytes = MAX_BYTES

    def clean_sheet(self) -> UploadedFile:
        sheet: UploadedFile = self.cleaned_data["sheet"]
        name = (sheet.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("请上传 xlsx 或 csv 文件。"))
        if (sheet.size or 0) > self.max_bytes:
            raise forms.ValidationError(_("文件太大：最多 %(mb)d MB。") % {"mb": self.max_bytes // (1024 * 1024)})
        return sheet


def read_cells(sheet: UploadedFile, *, max_rows: int) -> list[list[str]]:
    """Rows of text cells (at most ``max_rows + 2``, so the caller can say "too many")."""
    name = (sheet.name or "").lower()
    data = sheet.read()
    limit = max_rows + 2
    if name.endswith(".csv"):
        text = data.decode("utf-8-sig", errors="replace")
        rows = csv.reader(io.StringIO(text))
        return [[cell.strip() for cell in row] for _n, row in zip(range(limit), rows, strict=False)]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise SheetUnreadable(str(exc)) from exc
    return [[cell_text(v) for v in values] for values in book.worksheets[0].iter_rows(values_only=True, max_row=limit)]


class LargeSheetUploadForm(SheetUploadForm):
    """An upload that runs inline when small and as a background job when large."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = int(settings.SHEET_JOB_MAX_MB) * 1024 * 1024


def runs_as_job(sheet: UploadedFile) -> bool:
    """True for a sheet too large to answer inline: over 2 MB, or more data rows than
    ``SHEET_INLINE_MAX_ROWS`` (counted by streaming, stopping just past the limit)."""
    if (sheet.size or 0) > MAX_BYTES:
        return True
    limit = int(settings.SHEET_INLINE_MAX_ROWS) + 1  # the header row
    sheet.seek(0)
    try:
        stream: Any = sheet.file
        rows = len(list(islice(iter_sheet_rows(stream, name=sheet.name or ""), limit + 1)))
    except SheetUnreadable:
        return False  # the inline path says it cannot be read
    finally:
        sheet.seek(0)
    return rows > limit
