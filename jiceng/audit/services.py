"""Appending to and checking the hash-chained event log."""

import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

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
    """Append one event for a write `actor` made to `obj`. Call inside the write's transaction."""
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
