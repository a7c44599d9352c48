"""Workbooks: a title, a bold frozen header row, numbers stored as numbers, blanks for None."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from emulation.xlsx import Column, Table, sheet_name, workbook


def table(**kw: object) -> Table:
    values: dict[str, object] = {
        "key": "units",
        "title": "Units ranked by total score",
        "sheet": "Unit ranking",
        "note": "Year 2025 · snapshot #3",
        "columns": [
            Column("Rank", "int"),
            Column("Unit code"),
            Column("Unit", width=40),
            Column("Total", "number"),
        ],
        "rows": [
            [1, "UB-KTTC", "Ủy ban Kinh tế và Tài chính", 91.75],
            [None, "UB-KTTC-V", "Vụ", None],
        ],
    }
    values.update(kw)
    return Table(**values)  # type: ignore[arg-type]


def test_a_table_becomes_a_sheet() -> None:
    wb = load_workbook(io.BytesIO(workbook([table()])))
    assert wb.sheetnames == ["Unit ranking"]
    ws = wb["Unit ranking"]
    assert ws["A1"].value == "Units ranked by total score — Year 2025 · snapshot #3"
    assert ws["A1"].font.bold
    assert [c.value for c in ws[2]] == ["Rank", "Unit code", "Unit", "Total"]
    assert all(c.font.bold for c in ws[2])
    assert ws.freeze_panes == "A3"
    assert [c.value for c in ws[3]] == [1, "UB-KTTC", "Ủy ban Kinh tế và Tài chính", 91.75]
    assert isinstance(ws["A3"].value, int) and isinstance(ws["D3"].value, float)
    assert ws["D3"].number_format == "0.00"
    assert ws["A4"].value is None and ws["D4"].value is None  # cannot score: blank, not 0
    assert ws.column_dimensions["C"].width == 40
    assert ws.column_dimensions["B"].width >= len("UB-KTTC-V")
    assert wb.properties.title == "Units ranked by total score"


def test_several_tables_and_awkward_sheet_names() -> None:
    tables = [
        table(sheet="Tiến độ: [2025]/quý*?"),
        table(sheet="Tiến độ: [2025]/quý*?"),
        table(rows=[]),
    ]
    wb = load_workbook(io.BytesIO(workbook(tables)))
    assert len(wb.sheetnames) == 3
    assert len(set(wb.sheetnames)) == 3
    for name in wb.sheetnames:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    empty = wb[wb.sheetnames[2]]
    assert [c.value for c in empty[2]] == ["Rank", "Unit code", "Unit", "Total"]
    assert empty.max_row == 2


def test_sheet_name_rules() -> None:
    taken: set[str] = set()
    assert sheet_name("x" * 40, taken) == "x" * 31
    assert sheet_name("x" * 40, taken) == "x" * 27 + " (2)"
    assert sheet_name("  ", set()) == "Sheet"
    assert sheet_name("a/b", set()) == "a b"


def test_no_tables_still_makes_a_valid_file() -> None:
    wb = load_workbook(io.BytesIO(workbook([], title="Nothing")))
    assert len(wb.sheetnames) == 1
