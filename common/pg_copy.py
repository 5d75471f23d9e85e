"""Bulk writes through PostgreSQL's `COPY … FROM STDIN`, text format.

For an upload of 100.000 counts, building model instances and quoting 600.000 query parameters
costs more than the database's own work; COPY takes lines of text. The caller builds the lines
(a tab between values, `NULL` for a missing one, text through `copy_text`); this module holds
the format and the driver calls, for psycopg2 and psycopg 3.
"""

import io
from collections.abc import Sequence

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """A text value as COPY's text format reads it back unchanged."""
    return value.translate(_ESCAPES)


def copy_lines(connection, table: str, columns: Sequence[str], lines: Sequence[str]) -> None:
    """COPY `lines` (each ending in a newline) into `table`'s `columns` (names as stored).
    Table and column names are quoted here; nothing happens for no lines."""
    if not lines:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    sql = f"COPY {quote(table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors:
        driver = cursor.cursor
        if hasattr(driver, "copy_expert"):  # psycopg2
            driver.copy_expert(sql, io.StringIO("".join(lines)))
        else:  # psycopg 3
            with driver.copy(sql) as stream:
                stream.write("".join(lines))
