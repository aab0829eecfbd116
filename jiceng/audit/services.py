"""Appending to and checking the keyed, hash-chained event log.

Each event's `hash` is an HMAC-SHA256 (under the audit key, kept outside the database: see
`keys.py`) of its canonical JSON, which includes the previous event's hash. Appends are
serialized (PostgreSQL: an advisory transaction lock; SQLite: IMMEDIATE transactions), so
the lock is held until the appending transaction ends. A long writer (an import) records
inside `deferred()`: its events are kept in memory and appended in one short step at the
end of its transaction, so other writers wait milliseconds, not minutes.
"""

import contextlib
import contextvars
import datetime as dt
import hmac
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from jiceng.kernel.bulk import insert_rows

from . import keys
from .catalogue import require_known
from .context import current_source
from .models import AuditEvent

GENESIS = "0" * 64
_CHAIN_LOCK = 0x6A696365  # advisory lock id serializing chain appends on PostgreSQL


def _canonical(value) -> str:
    """Stable text for hashing: what the database will hand back, keys sorted."""
    return json.dumps(
        json.loads(json.dumps(value, cls=DjangoJSONEncoder)),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _digest(event: AuditEvent) -> str:
    body = _canonical(
        {
            "at": event.at.isoformat(timespec="microseconds"),
            "actor": event.actor_id,
            "actor_name": event.actor_name,
            "source": event.source,
            "action": event.action,
            "object": [event.object_type, event.object_id, event.object_repr],
            "org_path": event.org_path,
            "before": event.before,
            "after": event.after,
            "prev": event.prev_hash,
        }
    )
    return keys.sign(body)


def _lock_chain() -> None:
    """Serialize appends until the current transaction ends (SQLite's IMMEDIATE
    transactions already hold the database's write lock)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


def _head() -> str:
    return AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS


def object_type(obj) -> str:
    return obj._meta.label_lower


def record(actor, action: str, obj, *, before=None, after=None, org=None) -> AuditEvent:
    """Append one event for a write `actor` made to `obj`. Call inside the write's transaction.
    `action` must be in the catalogue (jiceng/audit/catalogue.py). Inside `deferred()` the
    event is appended when the block ends (the returned event is then not saved yet)."""
    require_known(action)
    event = AuditEvent(
        at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "") or "system",
        source=current_source(),
        action=action,
        object_type=object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        org_path=getattr(org, "path", "") or "",
        before=json.loads(_canonical(before)) if before is not None else None,
        after=json.loads(_canonical(after)) if after is not None else None,
    )
    pending = _pending.get()
    if pending is not None:
        pending.append(_entry_of(event))
        return event
    with transaction.atomic():
        _lock_chain()
        event.prev_hash = _head()
        event.hash = _digest(event)
        event.save(force_insert=True)
        return event


@dataclass(frozen=True)
class Ref:
    """An object as the log names it, for `record_many` callers that have its parts at hand
    (a bulk write need not build each row's str())."""

    type: str  # app_label.model, as object_type() gives it
    pk: object
    text: str

    def __str__(self) -> str:
        return self.text


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_json = _ENCODER.encode  # json.dumps with these options builds a new encoder at every call
_string = json.encoder.encode_basestring  # _json(text) for a str, in C


_PLAIN = (str, int, bool, type(None))


def _canonical_fast(value) -> str:
    """`_canonical(value)` in one pass for the usual payload (a flat dict of strings, numbers,
    booleans, None and dates, or lists of strings); anything else takes the general way."""
    if isinstance(value, dict):
        plain = {}
        for key, item in value.items():
            if not isinstance(key, str):
                return _canonical(value)
            if isinstance(item, _PLAIN):
                plain[key] = item
            elif type(item) is dt.date:
                plain[key] = item.isoformat()  # as DjangoJSONEncoder writes a date
            elif isinstance(item, list | tuple) and all(isinstance(i, str) for i in item):
                plain[key] = list(item)
            else:
                return _canonical(value)
        return _json(plain)
    return _canonical(value)


# An event ready to be chained: (stored_at, at_text, actor_id, actor_name, source, action,
# object_type, object_id, object_repr, org_path, before_text, after_text), the texts canonical.
_Entry = tuple


def _entry_of(event: AuditEvent) -> _Entry:
    before = _canonical(event.before) if event.before is not None else "null"
    after = _canonical(event.after) if event.after is not None else "null"
    return (
        connection.ops.adapt_datetimefield_value(event.at),
        _json(event.at.isoformat(timespec="microseconds")),
        event.actor_id,
        event.actor_name,
        event.source,
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        event.org_path,
        before,
        after,
    )


def record_many(actor, entries) -> int:
    """Append one event per `(action, obj, before, after, org)`, in order, exactly as `record`
    would (same fields, same chain; `obj` may be a `Ref`), with one read of the chain head
    and one multi-row insert: for services that write many records at once (a roster
    import). Call inside the writes' transaction. An action not in the catalogue refuses
    the whole batch before anything is written. Inside `deferred()`, appended when it ends."""
    at, source = timezone.now(), current_source()
    actor_id = getattr(actor, "pk", None)
    actor_name = getattr(actor, "username", "") or "system"
    at_text = _json(at.isoformat(timespec="microseconds"))
    stored_at = connection.ops.adapt_datetimefield_value(at)
    batch = []
    for action, obj, before, after, org in entries:
        require_known(action)
        kind = obj.type if isinstance(obj, Ref) else object_type(obj)
        before_text = _canonical_fast(before) if before is not None else "null"
        after_text = _canonical_fast(after) if after is not None else "null"
        obj_id, text, path = str(obj.pk), str(obj)[:200], getattr(org, "path", "") or ""
        head = (stored_at, at_text, actor_id, actor_name, source, action, kind, obj_id, text)
        batch.append((*head, path, before_text, after_text))
    pending = _pending.get()
    if pending is not None:
        pending.extend(batch)
    else:
        _append(batch)
    return len(batch)


def _append(batch: list[_Entry]) -> None:
    """Chain and insert prepared events: everything but the chain is built before the lock,
    then the lock, one read of the head, one keyed hash per event, one insert."""
    if not batch:
        return
    parts = [_parts(entry) for entry in batch]
    with transaction.atomic():
        _lock_chain()
        prev = _head()
        rows = []
        for row, left, right in parts:
            digest = keys.sign(f'{left}"{prev}"{right}')
            rows.append((*row, prev, digest))
            prev = digest
        columns = ["at", "actor_id", "actor_name", "source", "action", "object_type"]
        columns += ["object_id", "object_repr", "org_path", "before", "after", "prev_hash", "hash"]
        insert_rows(AuditEvent._meta.db_table, columns, rows)


def _parts(entry: _Entry) -> tuple[tuple, str, str]:
    """(the row's columns up to `after`, the canonical body before and after the previous
    hash): `_digest()` of the event is the keyed hash of left + '"prev"' + right, the same
    bytes spliced from canonical parts."""
    stored_at, at_text, actor_id, actor_name, source, *rest = entry
    action, kind, obj_id, text, path, before_text, after_text = rest
    left = (
        f'{{"action":{_string(action)},"actor":{_json(actor_id)},'
        f'"actor_name":{_string(actor_name)},"after":{after_text},"at":{at_text},'
        f'"before":{before_text},"object":[{_string(kind)},{_string(obj_id)},'
        f'{_string(text)}],"org_path":{_string(path)},"prev":'
    )
    right = f',"source":{_string(source)}}}'
    head = (stored_at, actor_id, actor_name, source, action, kind, obj_id, text, path)
    return (*head, _stored_json(before_text), _stored_json(after_text)), left, right


_pending: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "audit_pending", default=None
)


@contextlib.contextmanager
def deferred():
    """Within the block, `record` and `record_many` keep their events; when the block ends
    without an error they are appended in one step (lock, head, one insert). Use it INSIDE
    the long transaction, as its last step: `with transaction.atomic(), deferred(): ...`,
    so the chain lock is held from the append to the commit only, not for the whole
    transaction. A savepoint rolled back inside the block must roll back the whole
    transaction (as imports do): its events are not taken back. Nested blocks append with
    the outermost."""
    if _pending.get() is not None:
        yield
        return
    batch: list[_Entry] = []
    token = _pending.set(batch)
    try:
        yield
    finally:
        _pending.reset(token)
    if not connection.needs_rollback:  # a transaction bound to roll back appends nothing
        _append(batch)


def _stored_json(text: str):
    """A canonical JSON text as the JSONField column takes it through `insert_rows` (NULL
    for None, as `record`): SQLite's column holds JSON text, and PostgreSQL's COPY reads the
    text into jsonb (any spelling of the same value will do)."""
    return None if text == "null" else text


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""
    checkpoint: keys.Checkpoint | None = None  # the head the chain was held to, if any
    last: tuple[int, str] = (0, GENESIS)  # the last event checked: (id, hash)

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.reason


def verify(batch: int = 2000) -> ChainReport:
    """Walk the chain in id order; report the first event whose links or keyed hash do not
    hold, and whether the signed checkpoint's event is still there with its hash (a log cut
    short, or a checkpoint not signed with this key, fails too)."""
    point, problem = keys.read_checkpoint()
    if problem:
        return ChainReport(0, None, problem)
    prev, last = GENESIS, 0
    checked = 0
    anchored = point is None or point.id == 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch):
        if event.prev_hash != prev:
            return ChainReport(checked, event.pk, "prev_hash does not match the previous event")
        if not hmac.compare_digest(_digest(event), event.hash):
            return ChainReport(checked, event.pk, "content does not match its keyed hash")
        if point is not None and event.pk == point.id:
            if event.hash != point.hash:
                return ChainReport(checked, event.pk, "the checkpoint's event was replaced")
            anchored = True
        prev, last = event.hash, event.pk
        checked += 1
    if not anchored:
        return ChainReport(
            checked,
            None,
            f"event #{point.id} of the checkpoint ({point.at}) is missing: "
            "the newest events were deleted",
            point,
        )
    return ChainReport(checked, checkpoint=point, last=(last, prev))


def checkpoint() -> keys.Checkpoint:
    """Sign the chain's current head into the checkpoint file, once the whole chain verifies
    (a broken chain is not anchored: ValueError with the report's reason)."""
    report = verify()  # no transaction: a long walk must not hold SQLite's write lock
    if not report.ok:
        raise ValueError(report.reason or f"broken at #{report.broken_at}")
    point = keys.Checkpoint(
        id=report.last[0],
        hash=report.last[1],
        at=timezone.now().isoformat(timespec="seconds"),
        count=report.checked,
    )
    keys.write_checkpoint(point)
    return point
