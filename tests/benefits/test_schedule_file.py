"""Reading the CSV export: the accepted forms, and one plain line for each kind of bad line."""

from __future__ import annotations

from datetime import date

import pytest

from kontakt.benefits.schedule_file import ScheduleFileError, read_schedule
from tests.benefits.helpers import SAMPLE_PESELS, csv_bytes, sample

GOOD = ("ŚW/0101/2026", "85031412347", "świadczenie wychowawcze 800+", "2026-12-15")


def test_the_demo_file_reads_with_every_line_checked() -> None:
    schedule = read_schedule(sample())
    assert len(schedule.lines) == 9
    first = schedule.lines[0]
    assert (first.line, first.case_number, first.benefit, first.payment_date) == (
        2, "ŚW/0101/2026", "świadczenie wychowawcze 800+", date(2026, 11, 10)
    )  # fmt: skip
    assert len(schedule.sha256) == 64


@pytest.mark.parametrize("delimiter", [";", ","])
def test_the_delimiter_is_the_one_the_header_uses(delimiter: str) -> None:
    data = csv_bytes(GOOD, ("zr 0202/2026", "90072145628", "zasiłek rodzinny", "16.12.2026"),
                     delimiter=delimiter)  # fmt: skip
    lines = read_schedule(data).lines
    assert [(p.case_number, p.pesel, p.payment_date) for p in lines] == [
        ("ŚW/0101/2026", "85031412347", date(2026, 12, 15)),
        ("ZR0202/2026", "90072145628", date(2026, 12, 16)),
    ]


def test_excel_style_file_bom_crlf_quotes_other_order_and_extra_columns() -> None:
    text = (
        "\ufeffPayment_Date,Imię i nazwisko,PESEL,Case_Number,Benefit\r\n"
        '15.12.2026,"Nowak, Anna",850314 12347,św/0101/2026,"zasiłek; z dodatkiem"\r\n'
        "\r\n"
    )
    (line,) = read_schedule(text.encode()).lines
    assert (line.line, line.case_number, line.pesel, line.benefit, line.payment_date) == (
        2, "ŚW/0101/2026", "85031412347", "zasiłek; z dodatkiem", date(2026, 12, 15)
    )  # fmt: skip


def _replace(field: int, value: str) -> tuple[str, str, str, str]:
    row = list(GOOD)
    row[field] = value
    return (row[0], row[1], row[2], row[3])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (_replace(1, "85031412348"), "line 3: the PESEL has a wrong check digit"),
        (_replace(1, "5222610488"), "line 3: the PESEL must have 11 digits "
                                    "(a spreadsheet may have dropped a leading zero)"),
        (_replace(1, "8503141234X"), "line 3: the PESEL must have digits only"),
        (_replace(1, "85133112347"), "line 3: the PESEL holds an impossible birth date"),
        (_replace(0, ""), "line 3: the case number is empty"),
        (_replace(0, "ŚW//0101"), "line 3: the case number must be letters and digits in groups"
                                  " joined by / . - or _ (at most 40 characters)"),
        (_replace(0, "ŚW/ABC"), "line 3: the case number has no digits, so it cannot be keyed in"),
        (_replace(0, "1" * 21), "line 3: the case number has more than 20 digits"),
        (_replace(2, "  "), "line 3: the benefit is empty"),
        (_replace(2, "x" * 121),
         "line 3: the benefit must be plain text of at most 120 characters"),
        (_replace(3, "31.02.2026"), "line 3: payment date '31.02.2026' is not a date"
                                    " (YYYY-MM-DD or DD.MM.YYYY)"),
        (_replace(3, "2026/12/15"), "line 3: payment date '2026/12/15' is not a date"
                                    " (YYYY-MM-DD or DD.MM.YYYY)"),
        (_replace(3, "15.12.1926"), "line 3: payment date '15.12.1926' is not in 2000–2099"),
    ],
)  # fmt: skip
def test_a_bad_line_rejects_the_file_naming_line_and_problem(
    row: tuple[str, str, str, str], message: str
) -> None:
    with pytest.raises(ScheduleFileError) as caught:
        read_schedule(csv_bytes(GOOD, row, GOOD))
    assert str(caught.value) == message
    assert not any(p in str(caught.value) for p in SAMPLE_PESELS)  # no personal data echoed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "line 1: the file is empty"),
        (b"case_number;pesel;benefit;payment_date\n", "line 2: the file has no payments"),
        (b"case_number;pesel;benefit\n1;85031412347;x\n",
         "line 1: the header has no column payment_date"
         " (expected case_number;pesel;benefit;payment_date)"),
        (csv_bytes(GOOD) + b"1/2026;85031412347;x\n", "line 3: expected 4 fields, found 3"),
        (csv_bytes(GOOD) + "1/2026;85031412347;zasi\u0142ek;2026-12-15\n".encode("cp1250"),
         "line 3: the file is not UTF-8 text"),
        (csv_bytes(GOOD) + b'1/2026;85031412347;"open quote;2026-12-15\n',
         "line 3: a quote opened on this line is never closed"),
        (csv_bytes(GOOD) + b'1/2026;85031412347;"a"b;2026-12-15\n',
         "line 3: this is not valid CSV (';' expected after '\"')"),
    ],
)  # fmt: skip
def test_a_bad_file_is_one_plain_line(data: bytes, message: str) -> None:
    with pytest.raises(ScheduleFileError) as caught:
        read_schedule(data)
    assert str(caught.value) == message
