"""Appending to and checking the hash-chained event log."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from jiceng.kernel.bulk import insert_rows

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
    return hashlib.sha256(body.encode()).hexdigest()


def object_type(obj) -> str:
    return obj._meta.label_lower


def record(actor, action: str, obj, *, before=None, after=None, org=None) -> AuditEvent:
    """Append one event for a write `actor` made to `obj`. Call inside the write's transaction.
    `action` must be in the catalogue (jiceng/audit/catalogue.py)."""
    require_known(action)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
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
            prev_hash=last or GENESIS,
        )
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


def record_many(actor, entries) -> int:
    """Append one event per `(action, obj, before, after, org)`, in order, exactly as `record`
    would (same fields, same chain; `obj` may be a `Ref`), with one read of the chain head
    and one multi-row insert: for services that write many records at once (a roster
    import). Call inside the writes' transaction. An action not in the catalogue refuses
    the whole batch before anything is written."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        prev, at, source = last or GENESIS, timezone.now(), current_source()
        actor_id = getattr(actor, "pk", None)
        actor_name = getattr(actor, "username", "") or "system"
        at_text = _json(at.isoformat(timespec="microseconds"))
        fixed = f'"actor":{_json(actor_id)},"actor_name":{_string(actor_name)},'
        source_text = _string(source)
        stored_at = connection.ops.adapt_datetimefield_value(at)
        rows = []
        for action, obj, before, after, org in entries:
            require_known(action)
            kind = obj.type if isinstance(obj, Ref) else object_type(obj)
            before_text = _canonical_fast(before) if before is not None else "null"
            after_text = _canonical_fast(after) if after is not None else "null"
            obj_id, text, path = str(obj.pk), str(obj)[:200], getattr(org, "path", "") or ""
            # _digest() of the same event, spliced from canonical parts: same bytes, same hash
            body = (
                f'{{"action":{_string(action)},{fixed}"after":{after_text},"at":{at_text},'
                f'"before":{before_text},"object":[{_string(kind)},{_string(obj_id)},'
                f'{_string(text)}],"org_path":{_string(path)},"prev":"{prev}",'
                f'"source":{source_text}}}'
            )
            digest = hashlib.sha256(body.encode()).hexdigest()
            before_db, after_db = _stored_json(before_text), _stored_json(after_text)
            head = (stored_at, actor_id, actor_name, source, action, kind, obj_id, text, path)
            rows.append((*head, before_db, after_db, prev, digest))
            prev = digest
        columns = ["at", "actor_id", "actor_name", "source", "action", "object_type"]
        columns += ["object_id", "object_repr", "org_path", "before", "after", "prev_hash", "hash"]
        insert_rows(AuditEvent._meta.db_table, columns, rows)
        return len(rows)


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

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(batch: int = 2000) -> ChainReport:
    """Walk the chain in id order; report the first event whose links do not hold."""
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch):
        if event.prev_hash != prev:
            return ChainReport(checked, event.pk, "prev_hash does not match the previous event")
        if _digest(event) != event.hash:
            return ChainReport(checked, event.pk, "content does not match its hash")
        prev = event.hash
        checked += 1
    return ChainReport(checked)
