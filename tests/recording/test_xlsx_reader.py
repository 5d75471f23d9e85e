"""Reading an uploaded XLSX within hard limits: the worst files refused or read in seconds, and
the cells typed exactly as openpyxl types them.

The attacking files are built here, never committed: a 40 MB XML comment (a minute of parsing
at 16 KB a read in the expat bundled with Python 3.11), a value in column XFD of 3.000 rows
(49 million cells for openpyxl's `iter_rows`), members that unpack past the limit, too many
members, and files that need more memory or answer more than allowed.
"""

import datetime as dt
import io
import re
import time
import zipfile

import openpyxl
import pytest

from common import xlsx_reader
from common.parsing import FileRefused
from common.xlsx_reader import worksheet_table

REQUIRED = ["date", "device", "count"]
COLUMNS = ["date", "device", "count", "note"]
SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="{sheet}"/></Relationships>'
    ),
    # Styles 1, 2, 3: a built-in date, a custom date, a duration.
    "xl/styles.xml": (
        f'<styleSheet xmlns="{MAIN}"><numFmts count="2">'
        '<numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
        '<numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts>'
        '<fonts count="1"><font/></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0"/>'
        '</cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/>'
        '<xf numFmtId="164"/><xf numFmtId="165"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def _package(
    *, rows: str, strings=(), date1904: bool = False, sheet: str = "worksheets/sheet1.xml"
) -> bytes:
    """An XLSX written the way Excel writes one: shared strings, number formats, cell styles."""
    parts = dict(PARTS)
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].format(sheet=sheet)
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships"><workbookPr date1904="{int(date1904)}"/><sheets>'
        '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{MAIN}">' + "".join(f"<si>{s}</si>" for s in strings) + "</sst>"
    )
    parts[SHEET] = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def xlsx_of(rows: list[list]) -> bytes:
    """An XLSX of `rows` as openpyxl writes one (inline strings, dates styled as dates)."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_member(content: bytes, name: str, change) -> bytes:
    """`content` with the member `name` rewritten by `change` (bytes -> bytes)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member.filename)
            target.writestr(member.filename, change(data) if member.filename == name else data)
    return buffer.getvalue()


GOOD = [["date", "device", "count"], [dt.datetime(2012, 4, 16), "OKUT-01", 5]]


def _with_comment(megabytes: int) -> bytes:
    comment = b"<!--" + b"x" * (megabytes * 1024 * 1024) + b"-->"
    return _with_member(
        xlsx_of(GOOD), SHEET, lambda xml: xml.replace(b"<sheetData>", comment + b"<sheetData>")
    )


def _read(content: bytes, **kwargs):
    return worksheet_table(content, required=REQUIRED, columns=COLUMNS, **kwargs)


def _timed_refusal(content: bytes, **kwargs) -> tuple[list[str], float]:
    start = time.perf_counter()
    with pytest.raises(FileRefused) as refused:
        _read(content, **kwargs)
    return refused.value.errors, time.perf_counter() - start


# --- The worst files ------------------------------------------------------------------------------


def test_sheet_with_a_40_mb_comment_is_read_in_seconds():
    content = _with_comment(40)
    assert len(content) < 60_000
    # The machine may be busy: the bound is the reader's time limit, or ten times what a
    # three-row file takes in this same run (its child process start dominates), if longer.
    start = time.perf_counter()
    _read(xlsx_of(GOOD), seconds=60)
    small = time.perf_counter() - start

    start = time.perf_counter()
    table = _read(content, seconds=60)

    assert time.perf_counter() - start < max(xlsx_reader.PARSE_SECONDS, 10 * small)
    assert table.rows == [
        (2, {"date": dt.datetime(2012, 4, 16), "device": "OKUT-01", "count": 5, "note": None})
    ]


def test_a_reading_that_runs_over_its_time_is_stopped_and_refused(monkeypatch):
    # Read 16 KB at a time, as openpyxl does, the comment above takes a minute.
    monkeypatch.setattr(xlsx_reader, "READ_BYTES", 16 * 1024)

    errors, seconds = _timed_refusal(_with_comment(40), seconds=1.5)

    assert errors == [
        "Pembacaan berkas melewati batas waktu 1,5 detik, jadi dihentikan. Simpan ulang sebagai "
        "CSV UTF-8, atau bagi menjadi beberapa berkas."
    ]
    assert seconds < 3


def test_values_in_column_xfd_refuse_the_sheet_for_its_area():
    workbook = openpyxl.Workbook()
    workbook.active.append(["date", "device", "count"])
    for row in range(2, 3002):
        workbook.active.cell(row=row, column=16384, value=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert len(buffer.getvalue()) < 30_000

    errors, seconds = _timed_refusal(buffer.getvalue())

    assert errors == [
        "Lembar pertama terlalu luas: ada nilai sampai baris 62 dan sampai kolom XFD (di sel "
        "XFD2), jadi 62 baris × 16.384 kolom = 1.015.808 sel; paling banyak 1.000.000 sel. "
        "Hapus isi di luar tabel, lalu simpan ulang."
    ]
    assert seconds < 3


@pytest.mark.parametrize("declared", [True, False])
def test_more_shared_strings_than_the_sheet_may_have_cells_refuse_the_file(monkeypatch, declared):
    """A 165 KB file holding 3.9 million empty shared strings kept the reader busy until its
    time ran out; no cell could use more strings than the sheet may have cells."""
    monkeypatch.setattr(xlsx_reader, "MAX_CELLS", 20_000)
    content = _package(
        rows='<row r="1"><c r="A1" t="s"><v>0</v></c></row>', strings=["<t>date</t>"] * 20_001
    )
    if declared:  # as Excel writes the table: its size first
        content = _with_member(
            content,
            "xl/sharedStrings.xml",
            lambda xml: xml.replace(b"<sst ", b'<sst uniqueCount="20001" '),
        )

    errors, _seconds = _timed_refusal(content)

    assert errors == [
        "Berkas XLSX menyimpan lebih dari 20.000 teks bersama (sharedStrings), lebih banyak "
        "daripada sel yang boleh dipakai lembarnya (20.000). Simpan ulang lembar datanya saja "
        "sebagai berkas baru."
    ]


def test_shared_strings_up_to_the_limit_are_read(monkeypatch):
    monkeypatch.setattr(xlsx_reader, "MAX_CELLS", 20_000)
    header = "".join(
        f'<c r="{column}1" t="s"><v>{index}</v></c>' for index, column in enumerate("ABC")
    )
    strings = ["<t>date</t>", "<t>device</t>", "<r><t>co</t></r><r><t>unt</t></r>"]
    content = _package(rows=f'<row r="1">{header}</row>', strings=strings + ["<t/>"] * 19_997)

    with pytest.raises(FileRefused) as refused:  # a header and no data: read, then refused
        _read(content)

    assert refused.value.errors == [
        "Tidak ada data untuk diimpor: tidak ada baris sesudah judul kolom."
    ]


def test_member_that_unpacks_past_the_limit_is_refused_before_any_reading(monkeypatch):
    def no_child(*args, **kwargs):
        raise AssertionError("the file went to the reader")

    monkeypatch.setattr(xlsx_reader.subprocess, "run", no_child)

    errors, seconds = _timed_refusal(_with_comment(65))

    assert errors == [
        "Bagian xl/worksheets/sheet1.xml di dalam berkas XLSX berukuran 65 MB setelah dibuka; "
        "paling besar 64 MB. Bagi datanya menjadi beberapa berkas."
    ]
    assert seconds < 1


def test_archive_with_too_many_members_is_refused_before_its_directory_is_read(monkeypatch):
    buffer = io.BytesIO(xlsx_of(GOOD))
    with zipfile.ZipFile(buffer, "a") as archive:
        for number in range(1_000):
            archive.writestr(f"customXml/item{number}.xml", "")

    def no_directory(*args, **kwargs):
        raise AssertionError("20 MB of directory entries take zipfile seconds to read")

    monkeypatch.setattr(xlsx_reader.zipfile, "ZipFile", no_directory)
    errors, _seconds = _timed_refusal(buffer.getvalue())

    assert errors == [
        "Berkas XLSX berisi 1.009 bagian; paling banyak 1.000. Simpan ulang lembar datanya saja "
        "sebagai berkas baru."
    ]


def test_a_reading_that_needs_more_memory_than_allowed_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx_reader, "MEMORY_BYTES", 200 * 1024 * 1024)
    content = _package(
        rows='<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
        strings=[f"<t>{'x' * 60_000_000}</t>"],
    )

    # Time enough that only the memory limit can stop it, on a busy machine too.
    errors, _seconds = _timed_refusal(content, seconds=60)

    assert errors == [
        "Pembacaan berkas melewati batas memori 200 MB, jadi dihentikan. Bagi datanya menjadi "
        "beberapa berkas."
    ]


def test_an_answer_larger_than_allowed_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx_reader, "MAX_ANSWER_BYTES", 1024 * 1024)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(COLUMNS)
    for day in range(12_000):
        sheet.append(["2012-04-16", f"OKUT-{day:05d}", day, "n" * 100])
    buffer = io.BytesIO()
    workbook.save(buffer)

    errors, _seconds = _timed_refusal(buffer.getvalue(), seconds=60)  # about size, not time

    assert len(errors) == 1
    assert re.fullmatch(
        r"Isi lembar pertama terlalu besar: 1,[0-9] MB setelah dibaca; paling besar 1 MB\. "
        r"Bagi datanya menjadi beberapa berkas\.",
        errors[0],
    )


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04rusak",
        b"date,device,count\n",
        _with_member(xlsx_of(GOOD), SHEET, lambda xml: xml[: len(xml) // 2]),
        _with_member(xlsx_of(GOOD), SHEET, lambda xml: xml.replace(b'r="B2"', b'r="Q!2"')),
    ],
    ids=["broken-zip", "not-a-zip", "cut-short", "bad-reference"],
)
def test_damaged_file_is_unreadable(content):
    errors, _seconds = _timed_refusal(content)

    assert errors == [xlsx_reader.UNREADABLE]


def test_a_reader_that_dies_without_an_answer_means_an_unreadable_file(monkeypatch, caplog):
    # What a crash, or the kernel ending the child, looks like to the worker.
    monkeypatch.setattr(xlsx_reader.sys, "executable", "/bin/false")

    errors, _seconds = _timed_refusal(xlsx_of(GOOD))

    assert errors == [xlsx_reader.UNREADABLE]
    assert "XLSX reader exited with 1" in caplog.text


def test_workbook_whose_sheet_is_missing_is_refused():
    content = _package(rows="", sheet="worksheets/tidak_ada.xml")

    assert _timed_refusal(content)[0] == ["Berkas XLSX tidak berisi lembar kerja."]


# --- What a sheet holds ---------------------------------------------------------------------------

STRINGS = [
    "<t>date</t>",
    "<t>device</t>",
    "<t>count</t>",
    "<t>note</t>",
    "<t>A_x0000_B</t>",
    '<r><t xml:space="preserve">kabel </t></r><r><rPr><b/></rPr><t>USB</t></r>'
    '<rPh sb="0" eb="1"><t>ふり</t></rPh>',
    "<t>x\u0085y</t>",
    "<t>_x005F_x0000_</t>",
]
ROWS = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>'
    '<row r="2"><c r="A2" s="1"><v>41015</v></c><c r="B2" t="s"><v>4</v></c>'
    '<c r="C2"><v>12</v></c><c r="D2" t="s"><v>5</v></c></row>'
    '<row r="3"><c r="A3" s="2"><v>41016.5</v></c><c r="B3" t="inlineStr"><is><t>C-1</t></is>'
    '</c><c r="C3" t="str"><f>A1</f><v>7</v></c><c r="D3" t="s"><v>6</v></c></row>'
    '<row r="4"><c r="A4" t="d"><v>2012-04-18T00:00:00</v></c><c r="B4" t="b"><v>1</v></c>'
    '<c r="C4" t="e"><v>#N/A</v></c><c r="D4" s="3"><v>1.5</v></c></row>'
    '<row r="5"><c r="A5" t="s"><v>7</v></c><c r="B5"><v>1E3</v></c><c r="C5"><v>3.0</v></c>'
    "<c><v>9</v></c></row>"
    '<row><c r="A6" s="1"><v>0.25</v></c><c r="B6" s="2"><v>99999999</v></c>'
    '<c r="C6"><f>B6</f></c></row>'
    '<row r="9"><c r="B9" s="1"/><c r="D9" t="inlineStr"><is><t>sembilan</t></is></c></row>'
)


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
@pytest.mark.filterwarnings("ignore:Cell B6 is marked as a date")
def test_cells_are_typed_as_openpyxl_types_them(date1904):
    content = _package(rows=ROWS, strings=STRINGS, date1904=date1904)
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    expected = [
        (number, dict(zip(COLUMNS, values, strict=False)))
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        if number > 1 and any(value is not None for value in values)
    ]

    table = _read(content)

    assert [line for line, _ in table.rows] == [2, 3, 4, 5, 6, 9]
    assert table.rows == [
        (line, {name: values.get(name) for name in COLUMNS}) for line, values in expected
    ]
    assert table.rows[0][1]["date"] == (
        dt.datetime(2016, 4, 17) if date1904 else dt.datetime(2012, 4, 16)
    )


def test_sheet_rows_keep_their_numbers_and_a_far_value_is_named():
    content = _package(
        rows='<row r="3"><c r="B3" t="inlineStr"><is><t>date</t></is></c>'
        '<c r="C3" t="inlineStr"><is><t>device</t></is></c>'
        '<c r="D3" t="inlineStr"><is><t>count</t></is></c></row>'
        '<row r="7"><c r="B7"><v>1</v></c><c r="C7"><v>2</v></c><c r="D7"><v>3</v></c>'
        '<c r="AA7"><v>4</v></c></row>'
        '<row r="8"><c r="B8"><v>5</v></c><c r="Z8" t="inlineStr"><is><t> </t></is></c></row>'
    )

    table = _read(content)

    assert table.problems == [(7, "berisi nilai di kolom AA, di luar judul (kolom A sampai D).")]
    assert table.rows == [(8, {"date": 5, "device": None, "count": None, "note": None})]
