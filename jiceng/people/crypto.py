"""Personal information at rest (PIPL): encrypted values with a keyed hash for exact lookup.

One master key (JICENG_FIELD_KEY, base64 of 32 bytes; generated into JICENG_HOME for
development) is split with HKDF into an AES-GCM key for the values and an HMAC key for
the lookup hashes, so a leaked hash column cannot be brute-forced without the key.
"""

import base64
import functools
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = "v1"


def _master_key() -> bytes:
    raw = os.environ.get("JICENG_FIELD_KEY")
    if not raw:
        path = settings.HOME / "field_key"
        if not path.exists():
            path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
            path.chmod(0o600)
        raw = path.read_text().strip()
    key = base64.b64decode(raw)
    if len(key) != 32:
        raise ValueError("JICENG_FIELD_KEY must be the base64 encoding of 32 random bytes")
    return key


@functools.cache
def _keys() -> tuple[bytes, bytes]:
    material = HKDF(
        algorithm=hashes.SHA256(), length=64, salt=None, info=b"jiceng field encryption"
    ).derive(_master_key())
    return material[:32], material[32:]


def encrypt(plain: str, context: str) -> str:
    """Encrypt `plain`; `context` (e.g. "person.id_number") is bound in as associated data."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_keys()[0]).encrypt(nonce, plain.encode(), context.encode())
    return f"{VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt(token: str, context: str) -> str:
    version, _, body = token.partition(":")
    if version != VERSION:
        raise ValueError("unknown encryption version")
    data = base64.urlsafe_b64decode(body)
    return AESGCM(_keys()[0]).decrypt(data[:12], data[12:], context.encode()).decode()


def lookup_hash(value: str, context: str) -> str:
    """Keyed hash of a normalized value, for uniqueness and exact search."""
    return hmac.new(_keys()[1], f"{context}:{value}".encode(), hashlib.sha256).hexdigest()


def mask_id_number(number: str) -> str:
    """110***********123X: region and last four, the rest hidden."""
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "*" * len(phone)
