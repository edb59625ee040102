"""The bulk-ship upload: a sheet (xlsx or csv) of order number, carrier, tracking number.

This module only reads the file into rows; ``orders.services.shipping.order_ship_bulk`` checks
every row and ships all or nothing. The header row is recognised by name (Chinese or English),
so columns may be in any order; without a header the first three columns are taken in order.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from unfold.widgets import UnfoldAdminFileFieldWidget

from orders.errors import BulkShipInvalid
from orders.services.shipping import MAX_ROWS, ShipRow

_HEADERS = {
    "order_no": ("订单号", "order no", "order_no", "order"),
    "carrier": ("快递公司", "快递", "carrier"),
    "tracking_no": ("运单号", "快递单号", "tracking no", "tracking_no", "tracking number"),
}
MAX_BYTES = 2 * 1024 * 1024


class BulkShipForm(forms.Form):
    sheet = forms.FileField(
        label=_("发货表"),
        help_text=_("xlsx 或 csv，三列：订单号、快递公司、运单号（第一行为表头）。"),
        widget=UnfoldAdminFileFieldWidget,
    )

    def clean_sheet(self) -> UploadedFile:
        sheet: UploadedFile = self.cleaned_data["sheet"]
        name = (sheet.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("请上传 xlsx 或 csv 文件。"))
        if (sheet.size or 0) > MAX_BYTES:
            raise forms.ValidationError(_("文件太大：最多 2 MB。"))
        return sheet


def _cells(sheet: UploadedFile) -> list[list[str]]:
    name = (sheet.name or "").lower()
    data = sheet.read()
    if name.endswith(".csv"):
        text = data.decode("utf-8-sig", errors="replace")
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise BulkShipInvalid(message=_("无法读取该 xlsx 文件。"), details={"rows": []}) from exc
    rows: list[list[str]] = []
    for values in book.worksheets[0].iter_rows(values_only=True):
        rows.append([_text(value) for value in values])
        if len(rows) > MAX_ROWS + 1:
            break
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a tracking number Excel stored as a number
    return str(value).strip()


def read_ship_sheet(sheet: UploadedFile) -> list[ShipRow]:
    """The sheet's non-empty rows as ``ShipRow`` with their row number in the sheet."""
    cells = _cells(sheet)
    columns = {"order_no": 0, "carrier": 1, "tracking_no": 2}
    start = 0
    if cells:
        header = [cell.strip().lower() for cell in cells[0]]
        found = {
            key: next((i for i, cell in enumerate(header) if cell in names), None) for key, names in _HEADERS.items()
        }
        if all(index is not None for index in found.values()):
            columns = {key: int(index) for key, index in found.items() if index is not None}
            start = 1
        elif any(index is not None for index in found.values()):
            raise BulkShipInvalid(
                message=_("表头应为：订单号、快递公司、运单号。"), details={"rows": [], "header": cells[0]}
            )
    rows: list[ShipRow] = []
    for number, row in enumerate(cells[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue

        def cell(key: str, row: list[str] = row) -> str:
            index = columns[key]
            return row[index].strip() if index < len(row) else ""

        rows.append(
            ShipRow(line=number, order_no=cell("order_no"), carrier=cell("carrier"), tracking_no=cell("tracking_no"))
        )
    return rows
