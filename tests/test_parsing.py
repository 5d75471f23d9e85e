"""The shared readers of values and tables that every import and the entry form use."""

import datetime as dt

import pytest

from common.parsing import (
    MAX_COLUMNS,
    CellError,
    FileRefused,
    column_letter,
    control_character_error,
    csv_delimiter,
    parse_date,
    parse_whole_number,
    read_csv,
    table_from_cells,
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
        ' Date ,DEVICE,count,Petugas\r\n2012-04-16,A-1,5,Budi\r\n\r\n2012-04-17,"B,""2""",7,\r\n'
        "2012-04-18,C-3,9\n",
        required=COLUMNS,
    )

    assert table.columns == ["date", "device", "count", "petugas"]
    assert table.rows == [
        (2, {"date": "2012-04-16", "device": "A-1", "count": "5", "petugas": "Budi"}),
        (4, {"date": "2012-04-17", "device": 'B,"2"', "count": "7", "petugas": ""}),
        (5, {"date": "2012-04-18", "device": "C-3", "count": "9"}),
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


# Strict CSV: before, a line with blank values past the header was accepted, and a quoted value
# could run on over the next lines (swallowing them when its quote was never closed).


def test_line_with_more_values_than_columns_is_a_problem_even_when_they_are_blank():
    table = read_csv(
        "date,device,count\n2012-04-16,A-1,5,6\n2012-04-17,A-1,5,\n2012-04-18,A-1,5\n",
        required=COLUMNS,
    )

    assert table.problems == [
        (2, "berisi 4 nilai, padahal judul hanya 3 kolom."),
        (3, "berisi 4 nilai, padahal judul hanya 3 kolom."),
    ]
    assert [line for line, _ in table.rows] == [4]


def test_count_split_at_a_thousands_comma_is_named_with_how_to_write_it():
    table = read_csv("date,device,count,note\n2012-04-18,SMS-1608-07-1,1,234,\n", required=COLUMNS)

    assert table.problems == [
        (
            2,
            "berisi 5 nilai, padahal judul hanya 4 kolom. Angka tidak boleh memakai koma: "
            "tulis 1234 atau 1.234.",
        )
    ]
    assert table.rows == []


def test_unclosed_quote_is_a_problem_of_its_line_and_the_next_line_is_still_read():
    table = read_csv(
        'date,device,count,note\n2012-04-16,A-1,5,"listrik padam\n2012-04-17,A-1,6,\n',
        required=COLUMNS,
    )

    assert table.problems == [
        (
            2,
            'tanda kutip (") dibuka tetapi tidak ditutup di baris ini; satu nilai tidak boleh '
            "melewati akhir baris.",
        )
    ]
    assert table.rows == [(3, {"date": "2012-04-17", "device": "A-1", "count": "6", "note": ""})]


def test_value_spanning_two_lines_is_a_problem_of_the_line_it_starts_on():
    table = read_csv(
        'date,device,count,note\n2012-04-16,A-1,5,"dua\nbaris"\n2012-04-17,A-1,6,ok\n',
        required=COLUMNS,
    )

    assert [line for line, _ in table.problems] == [2]
    assert table.problems[0][1].startswith('tanda kutip (") dibuka tetapi tidak ditutup')
    # The rest of the value is read as a line of its own (whose date the import then refuses).
    assert table.rows[0] == (3, {"date": 'baris"'})
    assert [line for line, _ in table.rows] == [3, 4]


def test_misplaced_quote_is_a_problem_of_its_line():
    table = read_csv('date,device,count\n2012-04-16,"A-1"x,5\n2012-04-17,A-1,6\n', required=COLUMNS)

    assert table.problems == [
        (
            2,
            'tanda kutip (") salah tempat: nilai yang diapit tanda kutip harus langsung diikuti '
            'pemisah kolom, dan tanda kutip di dalam nilai ditulis dua kali ("").',
        )
    ]
    assert [line for line, _ in table.rows] == [3]


def test_every_broken_line_is_listed_at_once():
    table = read_csv(
        "date,device,count\n"
        '2012-04-16,"A-1,5\n'
        "2012-04-17,A-1,5,1\n"
        "2012-04-18,A-1,5\n"
        '2012-04-19,"A"-1,5\n',
        required=COLUMNS,
    )

    assert [line for line, _ in table.problems] == [2, 3, 5]
    assert [line for line, _ in table.rows] == [4]


def test_header_that_cannot_be_read_refuses_the_file():
    assert _refusal('"date,device,count\n2012-04-16,A-1,5\n') == [
        'Baris 1: tanda kutip (") dibuka tetapi tidak ditutup di baris ini; satu nilai tidak '
        "boleh melewati akhir baris."
    ]


def test_line_too_long_is_a_problem_of_its_line():
    huge = "x" * 200_000
    table = read_csv(
        f"date,device,count\n2012-04-16,A-1,5\n2012-04-17,{huge},5\n", required=COLUMNS
    )

    assert table.problems == [
        (3, "baris terlalu panjang (200.014 karakter); paling banyak 10.000.")
    ]
    assert [line for line, _ in table.rows] == [2]


def test_header_wider_than_any_count_file_is_refused():
    header = ",".join(["date", "device", "count", *(f"x{n}" for n in range(MAX_COLUMNS))])

    assert _refusal(f"{header}\n2012-04-16,A-1,5\n") == [
        "Baris 1: judul berisi 103 kolom; paling banyak 100."
    ]


def test_header_with_a_control_character_is_refused():
    assert _refusal("date,device,count,no\x00te\n2012-04-16,A-1,5\n") == [
        "Baris 1: judul kolom ke-4 berisi karakter kontrol U+0000 (NUL) pada karakter ke-3; "
        "hapus karakter itu."
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\x00b", "berisi karakter kontrol U+0000 (NUL) pada karakter ke-2; hapus karakter itu."),
        ("dua\nbaris", "berisi karakter kontrol U+000A (pindah baris) pada karakter ke-4;"),
        ("\r", "berisi karakter kontrol U+000D (pindah baris) pada karakter ke-1;"),
        ("x\x1b[31m", "berisi karakter kontrol U+001B pada karakter ke-2;"),
        ("\x7f", "berisi karakter kontrol U+007F (DEL) pada karakter ke-1;"),
        ("abc\x85", "berisi karakter kontrol U+0085 pada karakter ke-4;"),
        ("\x9f", "berisi karakter kontrol U+009F pada karakter ke-1;"),
    ],
)
def test_control_characters_are_named_with_their_place(text, message):
    assert control_character_error(text).startswith(message)


@pytest.mark.parametrize(
    "text", ["", "kabel\tUSB", "Sékretariat", "tanpa\u00a0jeda", "中文", "\u2028", "~ !@#"]
)
def test_tab_and_printable_text_have_no_control_character(text):
    assert control_character_error(text) is None


@pytest.mark.parametrize(
    ("number", "letters"),
    [(1, "A"), (26, "Z"), (27, "AA"), (702, "ZZ"), (703, "AAA"), (16384, "XFD")],
)
def test_column_letters_as_a_spreadsheet_names_them(number, letters):
    assert column_letter(number) == letters


def test_spreadsheet_rows_keep_their_typed_cells_and_their_row_numbers():
    table = table_from_cells(
        [
            (1, [(2, "  ")]),
            (2, [(1, "Date"), (2, "Device"), (3, "Count"), (4, None)]),
            (3, [(1, dt.datetime(2012, 4, 16)), (2, 12345), (3, 7.0)]),
            (4, [(1, None), (3, " ")]),
            (6, [(2, "A-1"), (3, 5)]),
        ],
        required=COLUMNS,
    )

    assert table.columns == ["date", "device", "count"]
    assert table.rows == [
        (3, {"date": dt.datetime(2012, 4, 16), "device": 12345, "count": 7.0}),
        (6, {"date": None, "device": "A-1", "count": 5}),
    ]


def test_spreadsheet_value_right_of_the_header_is_a_problem_naming_its_column():
    table = table_from_cells(
        [
            (1, [(1, "date"), (2, "device"), (3, "count")]),
            (2, [(1, "2012-04-16"), (2, "A-1"), (3, 5), (5, " "), (16384, 1), (28, "x")]),
            (3, [(1, "2012-04-17"), (2, "A-1"), (3, 5), (9, None)]),
        ],
        required=COLUMNS,
    )

    assert table.problems == [(2, "berisi nilai di kolom AB, di luar judul (kolom A sampai C).")]
    assert [line for line, _ in table.rows] == [3]


def test_spreadsheet_header_in_the_last_column_is_refused_for_its_width():
    with pytest.raises(FileRefused) as refused:
        table_from_cells([(1, [(1, "date"), (16384, "device")])], required=COLUMNS)

    assert refused.value.errors == ["Baris 1: judul berisi 16.384 kolom; paling banyak 100."]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "Berkas kosong: baris pertama harus judul kolom date,device,count."),
        ([(1, [(1, " ")])], "Berkas kosong: baris pertama harus judul kolom date,device,count."),
        (
            [(1, [(1, "date"), (2, "device"), (3, "count")]), (2, [(2, None)])],
            "Tidak ada data untuk diimpor: tidak ada baris sesudah judul kolom.",
        ),
    ],
    ids=["no-rows", "blank", "header-only"],
)
def test_spreadsheet_without_header_or_data_is_refused(rows, message):
    with pytest.raises(FileRefused) as refused:
        table_from_cells(rows, required=COLUMNS)

    assert refused.value.errors == [message]
