"""Sheets in and out: xlsx (openpyxl) or csv in UTF-8 with a BOM so Excel opens Chinese correctly.

Small console sheets are built in memory (``xlsx_bytes`` / ``csv_bytes``). Background jobs stream:
``iter_sheet_rows`` reads a stored file row by row (openpyxl read-only, or the csv reader) and
``SheetWriter`` writes one row at a time (openpyxl write-only, or csv) into a temporary file, so
memory stays flat however many rows there are.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

FORMATS = ("xlsx", "csv")


class SheetUnreadable(ValueError):
    """The file is not a workbook openpyxl can read."""


def cell_text(value: Any) -> str:
    """A cell as text: numbers Excel stored as floats without ``.0`` (phones, ids), dates ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def header_columns(header: Sequence[str], names: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Column index of each key whose header cell is one of its names (case-insensitive)."""
    cells = [cell.strip().lower() for cell in header]
    found: dict[str, int] = {}
    for key, options in names.items():
        for index, cell in enumerate(cells):
            if cell in {option.lower() for option in options}:
                found[key] = index
                break
    return found


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


def iter_sheet_rows(stream: IO[bytes], *, name: str) -> Iterator[list[str]]:
    """Each row of the first worksheet (or the csv) as text cells, read as it goes."""
    if name.lower().endswith(".csv"):
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
        try:
            for row in csv.reader(text):
                yield [cell.strip() for cell in row]
        finally:
            text.detach()
        return
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise SheetUnreadable(str(exc)) from exc
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [cell_text(value) for value in values]
    finally:
        book.close()


class SheetWriter:
    """Rows appended one at a time into a temporary file (rewound by ``finish``).

    xlsx through openpyxl's write-only mode (rows go to a temporary XML file as they come), csv
    straight to the file; ``sheet`` switches worksheet in an xlsx (the finance export's two)."""

    def __init__(self, fmt: str, *, titles: Sequence[str] = ("Sheet1",)) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown sheet format {fmt!r}")
        self.fmt = fmt
        self.file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close() / the caller
        self.rows = 0
        if fmt == "xlsx":
            self._book = Workbook(write_only=True)
            self._sheets = [self._book.create_sheet(title=str(title)[:31]) for title in titles]
            self._current = self._sheets[0]
        else:
            self._text = io.TextIOWrapper(self.file, encoding="utf-8", newline="")
            self._text.write("\ufeff")
            self._csv = csv.writer(self._text)

    def sheet(self, index: int) -> None:
        if self.fmt == "xlsx":
            self._current = self._sheets[index]

    def append(self, row: Sequence[Any]) -> None:
        if self.fmt == "xlsx":
            self._current.append([self._cell(value) for value in row])
        else:
            self._csv.writerow(row)
        self.rows += 1

    def _cell(self, value: Any) -> Any:
        """Money (``Decimal`` yuan) as a number shown with two decimals, so Excel can sum it."""
        if isinstance(value, Decimal):
            cell = WriteOnlyCell(self._current, value=value)
            cell.number_format = "0.00"
            return cell
        return value

    def finish(self) -> IO[bytes]:
        """The written file, rewound, for the caller to store and close."""
        if self.fmt == "xlsx":
            self._book.save(self.file)
        else:
            self._text.flush()
            self._text.detach()
        self.file.seek(0)
        return self.file

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> SheetWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self.close()
