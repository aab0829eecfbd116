"""Inserting many rows at once where the ORM's bulk_create is too slow (roster imports).

`bulk_create` compiles its SQL value by value; for 100,000 rows that costs more than the
database work. `insert_rows` sends rows that are already prepared for the database
(`Field.get_db_prep_save` or plain str/int/bool/None): PostgreSQL through COPY, SQLite
through one `executemany` (a C loop over one prepared statement).
"""

from django.db import connections


def insert_rows(table: str, columns: list[str], rows: list[tuple], *, using="default") -> None:
    if not rows:
        return
    conn = connections[using]
    quote = conn.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)
