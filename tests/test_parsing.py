"""The shared readers of values and tables that every import and the entry form use."""

import datetime as dt

import pytest

from ektp_tracker.parsing import (
    CellError,
    FileRefused,
    csv_delimiter,
    parse_date,
    parse_whole_number,
    read_csv,
    table_from_records,
)

COLUMNS = ("date", "device", "count")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120), (" 1.234 ", 1234), ("0", 0), (1234, 1234), (95.0, 95), ("1.234.567", 1234567)],
)
def test_whole_numbers_as_offices_write_them(value, expected):
    assert parse_whole_number(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12a", '"12a" bukan bilangan bulat (contoh: 120 atau 1.234).'),
        ("12,5", '"12,5" bukan bilangan bulat (contoh: 120 atau 1.234).'),
        ("1.2345", '"1.2345" bukan bilangan bulat (contoh: 120 atau 1.234).'),
        ("-5", '"-5" negatif; jumlah tidak boleh kurang dari 0.'),
        (-5, '"-5" negatif; jumlah tidak boleh kurang dari 0.'),
        (12.5, '"12.5" bukan bilangan bulat.'),
        (True, '"True" bukan bilangan bulat.'),
        ("", "wajib diisi."),
        (None, "wajib diisi."),
        ("3.000.000.000", '"3.000.000.000" terlalu besar; paling banyak 2.147.483.647.'),
    ],
)
def test_bad_whole_numbers_say_what_is_wrong(value, message):
    with pytest.raises(CellError) as refused:
        parse_whole_number(value)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "value",
    ["2012-04-16", "16/04/2012", "16/4/2012", dt.date(2012, 4, 16), dt.datetime(2012, 4, 16)],
)
def test_dates_in_iso_day_first_or_spreadsheet_form(value):
    assert parse_date(value) == dt.date(2012, 4, 16)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2012-04-31", '"2012-04-31" bukan tanggal yang ada di kalender.'),
        ("16-04-2012", '"16-04-2012" bukan tanggal; tulis 2012-04-16 atau 16/04/2012.'),
        (dt.datetime(2012, 4, 16, 8, 30), '"2012-04-16 08:30" berisi jam; tulis tanggal saja.'),
        ("", "wajib diisi."),
    ],
)
def test_bad_dates_say_what_is_wrong(value, message):
    with pytest.raises(CellError) as refused:
        parse_date(value)
    assert str(refused.value) == message


def _refusal(data, **kwargs) -> list[str]:
    with pytest.raises(FileRefused) as refused:
        read_csv(data, required=COLUMNS, **kwargs)
    return refused.value.errors


def test_csv_rows_are_keyed_by_trimmed_lower_case_header_with_file_line_numbers():
    table = read_csv(
        ' Date ,DEVICE,count,Petugas\n2012-04-16,A-1,5,Budi\n\n2012-04-17,"B\n2",7,\n'
        "2012-04-18,C-3,9\n",
        required=COLUMNS,
    )

    assert table.columns == ["date", "device", "count", "petugas"]
    assert table.rows == [
        (2, {"date": "2012-04-16", "device": "A-1", "count": "5", "petugas": "Budi"}),
        (4, {"date": "2012-04-17", "device": "B\n2", "count": "7", "petugas": ""}),
        (6, {"date": "2012-04-18", "device": "C-3", "count": "9"}),
    ]
    assert table.problems == []


def test_utf8_byte_order_mark_is_ignored():
    table = read_csv("\ufeffdate,device,count\n2012-04-16,A-1,5\n".encode(), required=COLUMNS)

    assert table.columns == ["date", "device", "count"]


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [("date;device;count", ";"), ("date,device,count", ","), ("a;b,c,d", ",")],
)
def test_delimiter_is_read_from_the_header_line(header, delimiter):
    assert csv_delimiter(f"\n{header}\n1;2;3\n") == delimiter


def test_semicolon_file_is_read_when_both_delimiters_are_allowed():
    table = read_csv(
        "date;device;count\n16/04/2012;A-1;1.234\n", required=COLUMNS, delimiters=(",", ";")
    )

    assert table.rows == [(2, {"date": "16/04/2012", "device": "A-1", "count": "1.234"})]


def test_semicolon_file_where_only_commas_are_allowed_gets_a_hint():
    errors = _refusal("date;device;count\n2012-04-16;A-1;5\n")

    assert errors == [
        "Baris 1: kolom wajib tidak ada: date, device, count (kolom yang ada: "
        "date;device;count). Pemisah kolom harus koma (,)."
    ]


def test_missing_and_repeated_columns_are_named():
    assert _refusal("date,Date,count\n") == [
        "Baris 1: kolom date muncul lebih dari sekali.",
        "Baris 1: kolom wajib tidak ada: device (kolom yang ada: date, date, count).",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Berkas kosong: baris pertama harus judul kolom date,device,count."),
        (b" \n,,\n", "Berkas kosong: baris pertama harus judul kolom date,device,count."),
        (
            b"date,device,count\n\n",
            "Tidak ada data untuk diimpor: tidak ada baris sesudah judul kolom.",
        ),
        (
            "date,device,count\n2012-04-16,Sé,5\n".encode("latin-1"),
            "Baris 2: berkas bukan teks UTF-8; simpan ulang sebagai CSV UTF-8.",
        ),
    ],
    ids=["empty", "blank", "header-only", "not-utf8"],
)
def test_file_without_data_or_not_utf8_is_refused(data, message):
    assert _refusal(data) == [message]


def test_line_with_more_values_than_columns_is_a_problem_of_that_line():
    table = read_csv("date,device,count\n2012-04-16,A-1,5,6\n2012-04-17,A-1,5,\n", required=COLUMNS)

    assert table.problems == [(2, "berisi 4 nilai, padahal judul hanya 3 kolom.")]
    assert [line for line, _ in table.rows] == [3]


def test_unreadable_csv_record_is_a_problem_of_its_line():
    huge = "x" * 200_000  # past the csv module's field limit
    table = read_csv(
        f"date,device,count\n2012-04-16,A-1,5\n2012-04-17,{huge},5\n", required=COLUMNS
    )

    assert [line for line, _ in table.problems] == [3]
    assert table.problems[0][1].startswith("format CSV rusak")
    assert [line for line, _ in table.rows] == [2]


def test_spreadsheet_rows_keep_their_typed_cells():
    table = table_from_records(
        [
            (1, [None, None]),
            (2, ["Date", "Device", "Count", None]),
            (3, [dt.datetime(2012, 4, 16), 12345, 7.0, None]),
            (4, [None, None, None, None]),
        ],
        required=COLUMNS,
    )

    assert table.rows == [(3, {"date": dt.datetime(2012, 4, 16), "device": 12345, "count": 7.0})]
