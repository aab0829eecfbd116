"""The audit chain is keyed (HMAC, key outside the database) and its head is anchored by a
signed checkpoint: someone with database access alone can neither append a forged event
nor cut the newest events off unnoticed."""

import hashlib
import hmac
import importlib
import json
import os
import stat

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from jiceng.audit import keys
from jiceng.audit.models import AuditEvent
from jiceng.audit.services import GENESIS, checkpoint, verify
from jiceng.jobs import registry
from jiceng.orgs.services import rename

rekey = importlib.import_module("jiceng.audit.migrations.0003_rekey_chain_with_hmac")


def _body(event: AuditEvent, prev: str) -> bytes:
    return rekey._body(event, prev)


def _insert_forged(hash_of) -> int:
    """What an attacker with the database could do: a new event after the head, its hash
    computed by `hash_of(canonical body)` (the attacker does not have the audit key)."""
    last = AuditEvent.objects.order_by("-id").first()
    forged = AuditEvent(
        at=last.at,
        actor_id=None,
        actor_name="system",
        source="cli",
        action="orgs.org.rename",
        object_type=last.object_type,
        object_id=last.object_id,
        object_repr="伪造的组织",
        org_path=last.org_path,
        before=None,
        after={"name": "伪造的组织"},
        prev_hash=last.hash,
    )
    forged.hash = hash_of(_body(forged, last.hash))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_id, actor_name, source, action, object_type,"
            " object_id, object_repr, org_path, before, after, prev_hash, hash)"
            " VALUES (%s, NULL, %s, %s, %s, %s, %s, %s, %s, NULL, %s, %s, %s)",
            [
                connection.ops.adapt_datetimefield_value(forged.at),
                forged.actor_name,
                forged.source,
                forged.action,
                forged.object_type,
                forged.object_id,
                forged.object_repr,
                forged.org_path,
                json.dumps(forged.after, ensure_ascii=False),
                forged.prev_hash,
                forged.hash,
            ],
        )
        cursor.execute("SELECT MAX(id) FROM audit_auditevent")
        return cursor.fetchone()[0]


def _delete_newest(count: int) -> None:
    """Switch the append-only guard off, as an attacker with the database can, and delete."""
    ids = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:count])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_delete")
        cursor.execute(
            f"DELETE FROM audit_auditevent WHERE id IN ({', '.join(['%s'] * len(ids))})", ids
        )


def test_a_clean_chain_verifies_with_and_without_a_checkpoint(world):
    assert verify().ok and verify().checkpoint is None
    point = checkpoint()
    report = verify()
    assert report.ok and report.checkpoint == point and report.checked == point.count > 0
    rename(world.users["a1_officer"], world.branch_a1, name="和平社区党支部")  # after the anchor
    assert verify().ok
    out = _call("verify")
    assert "审计链完好" in out and f"#{point.id}" in out


def test_hashes_are_keyed_not_plain_sha256(world):
    event = AuditEvent.objects.order_by("id").first()
    body = _body(event, event.prev_hash)
    assert event.hash != hashlib.sha256(body).hexdigest()
    assert event.hash == hmac.new(keys.key(), body, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "hash_of",
    [
        lambda body: hashlib.sha256(body).hexdigest(),  # recomputed the old, unkeyed way
        lambda body: hmac.new(b"a-guess-at-the-key" * 2, body, hashlib.sha256).hexdigest(),
    ],
    ids=["unkeyed", "wrong-key"],
)
def test_a_forged_append_with_a_recomputed_hash_fails_verify(world, hash_of):
    assert verify().ok
    forged = _insert_forged(hash_of)
    report = verify()
    assert not report.ok and report.broken_at == forged
    with pytest.raises(CommandError, match=f"#{forged}"):
        _call("verify")


def test_deleting_the_newest_events_after_a_checkpoint_fails_verify(world):
    point = _call("checkpoint")
    assert "已写检查点" in point
    _delete_newest(3)
    assert AuditEvent.objects.exists()
    report = verify()  # what is left still links up, but the anchored head is gone
    assert not report.ok and "missing" in report.reason
    with pytest.raises(CommandError, match="审计链未通过校验"):
        _call("verify")


def test_a_checkpoint_not_signed_with_the_key_fails_verify(world):
    checkpoint()
    path = keys.checkpoint_path()
    data = json.loads(path.read_text())
    data["id"] = 1  # moved back to hide a deletion, re-signed without the key
    data["signature"] = hashlib.sha256(b"x").hexdigest()
    path.write_text(json.dumps(data))
    report = verify()
    assert not report.ok and "signature" in report.reason


def test_a_broken_chain_is_not_anchored(world):
    forged = _insert_forged(lambda body: hashlib.sha256(body).hexdigest())
    with pytest.raises(CommandError, match="未写检查点"):
        _call("checkpoint")
    assert not keys.checkpoint_path().exists()
    assert verify().broken_at == forged


def test_the_daily_sweep_writes_the_checkpoint(world):
    task = registry.periodic_tasks()["audit.checkpoint"]
    result = task.run(world.system, None, lambda *a, **k: None)
    point, problem = keys.read_checkpoint()
    assert not problem and point.id == result["id"] == AuditEvent.objects.latest("id").pk


def test_the_key_file_is_made_private_on_first_use(tmp_path, settings, monkeypatch):
    monkeypatch.delenv(keys.ENV, raising=False)
    settings.HOME = tmp_path
    first = keys.key()
    path = tmp_path / keys.KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(first) >= keys.MIN_LENGTH and keys.key() == first
    monkeypatch.setenv(keys.ENV, "k" * 40)
    assert keys.key() == b"k" * 40  # the environment's key wins


def test_the_migration_rekeys_an_old_unkeyed_chain(world):
    """Events hashed the old way (plain SHA-256) verify once the migration re-keys them."""
    schema_editor = connection.schema_editor()
    rekey._rehash(rekey._keyed, rekey._plain)(apps, schema_editor)  # back to the old hashes
    old = AuditEvent.objects.order_by("id").first()
    assert old.hash == hashlib.sha256(_body(old, GENESIS)).hexdigest()
    assert not verify().ok
    rekey._rehash(rekey._plain, rekey._keyed)(apps, schema_editor)
    report = verify()
    assert report.ok and report.checked == AuditEvent.objects.count()


def test_the_migration_refuses_to_rekey_a_tampered_chain(world):
    schema_editor = connection.schema_editor()
    rekey._rehash(rekey._keyed, rekey._plain)(apps, schema_editor)
    _insert_forged(lambda body: "f" * 64)
    with pytest.raises(RuntimeError, match="broken before re-keying"):
        rekey._rehash(rekey._plain, rekey._keyed)(apps, schema_editor)


def _call(action: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", action, stdout=out)
    return out.getvalue()
