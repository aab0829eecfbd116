"""Stored-path helpers: a subtree is one indexed range or prefix filter.

A path is the chain of primary keys from the root, each zero-padded to a fixed
width and closed by "/", e.g. "/0000001/0000042/". Only digits and "/" occur, so
"everything under P" is the half-open range [P, P with its last "/" raised to "0"),
which a plain B-tree index answers on SQLite; PostgreSQL uses a pattern-ops index
for the equivalent LIKE 'P%'.
"""

from django.db import connection
from django.db.models import Q

SEGMENT_WIDTH = 7


def segment(pk: int) -> str:
    return f"{pk:0{SEGMENT_WIDTH}d}/"


def child_path(parent_path: str | None, pk: int) -> str:
    return (parent_path or "/") + segment(pk)


def subtree_q(path: str, field: str = "path") -> Q:
    """Q selecting every row whose `field` lies in the subtree rooted at `path`."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": path})
    return Q(**{f"{field}__gte": path, f"{field}__lt": path[:-1] + "0"})


def ancestor_paths(path: str) -> list[str]:
    """Paths of the node and all its ancestors, root first."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
