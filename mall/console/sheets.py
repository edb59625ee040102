"""Reading an uploaded sheet (xlsx or csv) into text cells, and writing one (xlsx) for download.

Uploads are small console sheets (a few thousand rows): read whole, header recognised by name by
the caller. Numbers Excel stored as floats come back without ``.0`` (phones, ids).
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from unfold.widgets import UnfoldAdminFileFieldWidget

from mall.services.sheets import SheetUnreadable, cell_text, header_columns, xlsx_bytes

MAX_BYTES = 2 * 1024 * 1024

__all__ = ["SheetUnreadable", "SheetUploadForm", "cell_text", "header_columns", "read_cells", "xlsx_bytes"]


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
