"""The audit key and the signed checkpoint: what the database alone cannot forge.

The chain's hashes are HMAC-SHA256 under a key kept outside the database, so someone who
can write the database but not read the key cannot append an event (or rewrite one) with a
hash that verifies. The key is `JICENG_AUDIT_KEY` (any text, at least 32 characters), else
the file `$JICENG_HOME/audit_key`, created with mode 0600 on first use. Lose the key and the
log can no longer be verified: back it up with the database.

A chain can still be cut short (delete the newest events) and stay consistent. The
checkpoint file `$JICENG_HOME/audit_checkpoint.json` anchors the head: the last event's id
and hash, signed with the same key. `verify` then insists that this event is still there
with this hash.
"""

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENV = "JICENG_AUDIT_KEY"
KEY_FILE = "audit_key"
CHECKPOINT_FILE = "audit_checkpoint.json"
MIN_LENGTH = 32


def key_path() -> Path:
    return Path(settings.HOME) / KEY_FILE


def checkpoint_path() -> Path:
    return Path(settings.HOME) / CHECKPOINT_FILE


_cache: dict[tuple, bytes] = {}


def key() -> bytes:
    """The audit key: the environment's, else the key file's (made on first use)."""
    text = os.environ.get(ENV, "").strip()
    if text:
        if len(text) < MIN_LENGTH:
            raise ImproperlyConfigured(f"{ENV} must be at least {MIN_LENGTH} characters long")
        return text.encode()
    path = key_path()
    found = _cache.get(("file", str(path)))
    if found is None:
        found = _cache[("file", str(path))] = _read_or_create(path)
    return found


def _read_or_create(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made before (perhaps a moment ago by another process)
        text = path.read_text().strip()
        if len(text) < MIN_LENGTH:
            raise ImproperlyConfigured(f"the audit key file {path} is empty or too short") from None
        return text.encode()
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip().encode()


def sign(text: str) -> str:
    """HMAC-SHA256 of `text` under the audit key, as hex."""
    return hmac.new(key(), text.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    id: int  # the last event's id when it was written (0: the log was empty)
    hash: str
    at: str  # when it was written (ISO 8601)
    count: int  # events then

    def message(self) -> str:
        return f"jiceng-audit-checkpoint:{self.id}:{self.hash}:{self.count}:{self.at}"


def write_checkpoint(point: Checkpoint) -> Path:
    """Replace the checkpoint file (atomically: a reader never sees half of it)."""
    path = checkpoint_path()
    body = {**point.__dict__, "signature": sign(point.message())}
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(body, indent=1) + "\n")
    partial.chmod(0o600)
    os.replace(partial, path)
    return path


def read_checkpoint() -> tuple[Checkpoint | None, str]:
    """(the checkpoint, "") when there is a genuine one; (None, "") when there is none;
    (None, why) when the file is there but damaged or not signed with this key."""
    path = checkpoint_path()
    if not path.exists():
        return None, ""
    try:
        raw = json.loads(path.read_text())
        point = Checkpoint(int(raw["id"]), str(raw["hash"]), str(raw["at"]), int(raw["count"]))
        signature = str(raw["signature"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, "the checkpoint file cannot be read"
    if not hmac.compare_digest(signature, sign(point.message())):
        return None, "the checkpoint file's signature does not match the audit key"
    return point, ""
