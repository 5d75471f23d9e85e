"""COPY lines read back exactly what was written, whatever the text holds."""

import pytest
from django.db import connection

from common.pg_copy import NULL, copy_lines, copy_text


def test_text_is_escaped_for_copys_text_format():
    assert copy_text("a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re"
    assert copy_text("listrik padam 2 jam") == "listrik padam 2 jam"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_lines_go_in_and_read_back_unchanged():
    notes = ["tab\there", "line\nbreak", "back\\slash", "“kutip” dan \\N", ""]
    with connection.cursor() as cursor:
        cursor.execute('CREATE TEMPORARY TABLE "copy check" (n integer, "the note" text)')
    copy_lines(
        connection,
        "copy check",
        ["n", "the note"],
        [f"{i}\t{copy_text(note)}\n" for i, note in enumerate(notes)] + [f"99\t{NULL}\n"],
    )
    with connection.cursor() as cursor:
        cursor.execute('SELECT n, "the note" FROM "copy check" ORDER BY n')
        assert cursor.fetchall() == [*enumerate(notes), (99, None)]
    copy_lines(connection, "copy check", ["n"], [])  # nothing to write: no query at all
