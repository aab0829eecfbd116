"""Inserting many rows at once where the ORM's bulk_create is too slow (roster imports).

`bulk_create` compiles its SQL value by value; for 100,000 rows that costs more than the
database work. `insert_rows` sends rows that are already prepared for the database
(`Field.get_db_prep_save` or plain str/int/bool/None): PostgreSQL through COPY, SQLite
through one `executemany` (a C loop over one prepared statement). `any_of` looks many
values up at once.
"""

from django.db import connections
from django.db.models import F, Lookup, Q


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


class _AnyOf(Lookup):
    """`lhs = ANY(%s)`: the values as one array parameter (PostgreSQL)."""

    lookup_name = "any_of"  # used as an expression, never registered on a field
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]


def any_of(field: str, values, *, using="default"):
    """`Q(field__in=values)` for many values, for `filter()`: on PostgreSQL `field = ANY(%s)`
    with ONE array parameter (an IN list of a thousand placeholders costs more to build and
    parse than the lookup itself); on SQLite the IN list."""
    values = list(values)
    if connections[using].vendor == "postgresql":
        return _AnyOf(F(field), values)
    return Q(**{f"{field}__in": values})
