"""The key to restricted (NDA) content, and sealing records with it.

Restricted records are sealed one by one with AES-256-GCM: a random 96-bit nonce per record, and the record's kind
and id as associated data, so a sealed record cannot be moved to another row or kind without failing
authentication. The key comes from ``$HIGHFENCE_RESTRICTED_KEY`` (64 hex digits or base64 of 32 bytes) or from the
file ``restricted.key_file``, which must be readable by its owner only (0600). The key itself is never stored,
logged or passed as a parameter: only its fingerprint (an HMAC of a constant) is kept, to tell a wrong key apart
from tampered data.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import stat
from pathlib import Path
from typing import Mapping

from highfence.errors import ConfigError, HighfenceError

ENV_KEY = "HIGHFENCE_RESTRICTED_KEY"
KEY_BYTES = 32
NONCE_BYTES = 12
HOW = f"set ${ENV_KEY}, or restricted.key_file to a 0600 key file ('highfence restricted keygen' makes one)"
_FINGERPRINT_INPUT = b"highfence restricted key fingerprint v1"
_LOG_MAC_INPUT = b"highfence restricted access log v1"


class RestrictedError(HighfenceError):
    """Restricted content asked for without the key, with the wrong key, or failing authentication."""


def parse_key(text: str | bytes, origin: str) -> bytes:
    """32 key bytes from 64 hex digits or base64 (standard or URL-safe); a file may also hold the 32 raw bytes."""
    if isinstance(text, bytes):
        raw = text
        try:
            return parse_key(raw.decode("ascii"), origin)
        except (UnicodeDecodeError, ConfigError):
            if len(raw) == KEY_BYTES:
                return raw
            raise ConfigError(f"{origin}: not a restricted key (64 hex digits or base64 of 32 bytes)") from None
    text = text.strip()
    candidates = []
    if len(text) == 2 * KEY_BYTES:
        try:
            candidates.append(bytes.fromhex(text))
        except ValueError:
            pass
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            candidates.append(decode(text + "=" * (-len(text) % 4)))
        except (binascii.Error, ValueError):
            pass
    for key in candidates:
        if len(key) == KEY_BYTES:
            return key
    raise ConfigError(f"{origin}: not a restricted key (64 hex digits or base64 of 32 bytes)")


def read_key_file(path: Path) -> bytes:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"restricted key file {path}: not found") from None
    except OSError as exc:
        raise ConfigError(f"restricted key file {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"restricted key file {path}: not a regular file")
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o077:
        raise ConfigError(f"restricted key file {path}: mode {mode:04o} lets others read it; "
                          f"refused (chmod 600 {path})")
    try:
        return parse_key(path.read_bytes(), f"restricted key file {path}")
    except OSError as exc:
        raise ConfigError(f"restricted key file {path}: {exc.strerror or exc}") from None


class RestrictedKey:
    """The key in memory. ``repr`` and ``str`` show the fingerprint only."""

    def __init__(self, key: bytes, origin: str):
        if len(key) != KEY_BYTES:
            raise ConfigError(f"{origin}: a restricted key is {KEY_BYTES} bytes")
        self._key = key
        self.origin = origin  # "environment HIGHFENCE_RESTRICTED_KEY" or "file PATH": says where, never what

    def __repr__(self) -> str:
        return f"RestrictedKey({self.fingerprint[:12]}…, from {self.origin})"

    __str__ = __repr__

    def __reduce__(self):  # never pickled into a task-runner payload or a Prefect result
        raise TypeError("a restricted key is not serialisable")

    @property
    def fingerprint(self) -> str:
        return hmac.new(self._key, _FINGERPRINT_INPUT, hashlib.sha256).hexdigest()

    @staticmethod
    def _aad(kind: str, record_id: str) -> bytes:
        return f"highfence-restricted/v1\x1f{kind}\x1f{record_id}".encode("utf-8")

    def seal(self, kind: str, record_id: str, content) -> tuple[bytes, bytes]:
        """(nonce, ciphertext) of ``content`` (anything JSON can hold) bound to ``kind`` and ``record_id``."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
        return nonce, AESGCM(self._key).encrypt(nonce, plain, self._aad(kind, record_id))

    def open(self, kind: str, record_id: str, nonce: bytes, ciphertext: bytes, where: str):
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            plain = AESGCM(self._key).decrypt(bytes(nonce), bytes(ciphertext), self._aad(kind, record_id))
        except InvalidTag:
            raise RestrictedError(f"{where}: restricted record {kind} {record_id} fails authentication "
                                  "(altered, or moved from another record)") from None
        return json.loads(plain.decode("utf-8"))

    def log_mac(self, previous: str, entry: str) -> str:
        """The access log's chain: each entry's MAC covers the previous one, so only a key holder could rewrite it."""
        sub = hmac.new(self._key, _LOG_MAC_INPUT, hashlib.sha256).digest()
        return hmac.new(sub, f"{previous}\x1f{entry}".encode("utf-8"), hashlib.sha256).hexdigest()


def new_key_text() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def write_key_file(path: Path) -> RestrictedKey:
    """A new random key in a new file created 0600 (an existing file is never overwritten)."""
    text = new_key_text()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(f"restricted key file {path}: exists already; not overwritten") from None
    except OSError as exc:
        raise ConfigError(f"restricted key file {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text + "\n")
    return RestrictedKey(parse_key(text, str(path)), f"file {path}")


def load_key(key_file: str | Path | None, env: Mapping[str, str] | None = None) -> RestrictedKey | None:
    """The key from the environment, else from ``key_file``; None when neither is given."""
    env = os.environ if env is None else env
    if env.get(ENV_KEY):
        return RestrictedKey(parse_key(env[ENV_KEY], f"environment {ENV_KEY}"), f"environment {ENV_KEY}")
    if key_file:
        path = Path(key_file).expanduser()
        return RestrictedKey(read_key_file(path), f"file {path}")
    return None
