"""Reads the shell needs that belong to no domain app."""

from django.db import DatabaseError, connection


def database_state() -> str:
    """ "ok" when the database answers a trivial query, else "unavailable"."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # Drop the broken connection, so the next request tries a fresh one.
        connection.close_if_unusable_or_obsolete()
        return "unavailable"
    return "ok"
