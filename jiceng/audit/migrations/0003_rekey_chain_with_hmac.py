"""Re-key the audit chain: every event's hash becomes an HMAC-SHA256 under the audit key
(jiceng/audit/keys.py) instead of a plain SHA-256 anyone could recompute.

Each event is first checked against its old, unkeyed hash: re-keying a chain that was
already tampered with would launder the tampering, so a broken chain stops the migration.
The append-only triggers are set aside for the rewrite only.
"""

import hashlib
import hmac
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations

from jiceng.audit import keys

GENESIS = "0" * 64
BATCH = 2000


def _body(event, prev: str) -> bytes:
    """The event's canonical JSON, as `audit.services._digest` builds it."""
    value = {
        "at": event.at.isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "source": event.source,
        "action": event.action,
        "object": [event.object_type, event.object_id, event.object_repr],
        "org_path": event.org_path,
        "before": event.before,
        "after": event.after,
        "prev": prev,
    }
    text = json.dumps(
        json.loads(json.dumps(value, cls=DjangoJSONEncoder)),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return text.encode()


def _plain(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _keyed(body: bytes) -> str:
    return hmac.new(keys.key(), body, hashlib.sha256).hexdigest()


def _triggers(connection, on: bool) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            verb = "ENABLE" if on else "DISABLE"
            for name in ("audit_event_no_change", "audit_event_no_truncate"):
                cursor.execute(f"ALTER TABLE audit_auditevent {verb} TRIGGER {name}")
        elif on:
            for verb in ("UPDATE", "DELETE"):
                cursor.execute(
                    f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON "
                    "audit_auditevent BEGIN SELECT RAISE(ABORT, 'audit events are "
                    "append-only'); END"
                )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


def _rehash(old, new):
    """Walk the chain (checked with `old`), rewriting prev_hash and hash with `new`."""

    def run(apps, schema_editor):
        AuditEvent = apps.get_model("audit", "AuditEvent")
        connection = schema_editor.connection
        if not AuditEvent.objects.exists():
            return
        _triggers(connection, on=False)
        old_prev = new_prev = GENESIS
        changes = []
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=BATCH):
            if event.prev_hash != old_prev or old(_body(event, old_prev)) != event.hash:
                raise RuntimeError(
                    f"audit event #{event.pk} does not match its hash: the chain was broken "
                    "before re-keying; investigate (jiceng audit verify on the old version) "
                    "before migrating"
                )
            old_prev = event.hash
            new_hash = new(_body(event, new_prev))
            changes.append((new_prev, new_hash, event.pk))
            new_prev = new_hash
        with connection.cursor() as cursor:
            for at in range(0, len(changes), BATCH):
                cursor.executemany(
                    "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                    changes[at : at + BATCH],
                )
        _triggers(connection, on=True)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(_rehash(_plain, _keyed), _rehash(_keyed, _plain))]
