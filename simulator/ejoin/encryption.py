"""The simulated device's side of `crypt_sess.json`: opening sessions, checking signed requests, decrypting bodies.

Written independently of the client: hashes `md5(user + password + cnonce + "/crypt_sess.json")` for the
handshake and `md5(user + password + session + seq + resource)` per request; body key
`md5(user + password + first auth + session + seq)`; AES-128-ECB with zero padding, or RC4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import hashlib
import secrets
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HANDSHAKE = "/crypt_sess.json"
MODES = frozenset({"aes", "rc4"})


def md5_hex(text: str) -> str:
    """Hex MD5 of UTF-8 text."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def rc4(key: bytes, data: bytes) -> bytes:
    """RC4 keystream XOR."""
    box = list(range(256))
    j = 0
    for i in range(256):
        j = (j + box[i] + key[i % len(key)]) & 0xFF
        box[i], box[j] = box[j], box[i]
    i = j = 0
    out = bytearray(len(data))
    for index, byte in enumerate(data):
        i = (i + 1) & 0xFF
        j = (j + box[i]) & 0xFF
        box[i], box[j] = box[j], box[i]
        out[index] = byte ^ box[(box[i] + box[j]) & 0xFF]
    return bytes(out)


def aes_decrypt(key: bytes, data: bytes) -> bytes:
    """AES-128-ECB decryption; the zero padding is stripped."""
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()  # noqa: S305 - the firmware's scheme
    return (decryptor.update(data) + decryptor.finalize()).rstrip(b"\x00")


@dataclass
class Session:
    """An open encrypted session."""

    session: str
    mode: str
    first_auth: str
    expires: int
    expires_at: float
    used: set[str] = field(default_factory=set)


class SessionStore:
    """Sessions of one simulated device (lost on reboot)."""

    def __init__(self, username: str, password: str) -> None:
        """Remember the device's credentials."""
        self.username = username
        self.password = password
        self.sessions: dict[str, Session] = {}

    def open(self, username: str, cnonce: str, auth: str, mode: str, expires: int) -> Session | None:
        """A new session when the handshake's hash is right; None otherwise."""
        expected = md5_hex(self.username + self.password + cnonce + HANDSHAKE)
        if username != self.username or not secrets.compare_digest(auth.lower(), expected) or mode not in MODES:
            return None
        lifetime = max(expires, 1)
        session = Session(secrets.token_hex(12), mode, expected, lifetime, time.monotonic() + lifetime)
        self.sessions[session.session] = session
        return session

    def check(self, session_id: str, seq: str, auth: str, resource: str) -> tuple[Session, bytes] | None:
        """The session and the request's body key when the signature is right and `seq` is fresh."""
        session = self.sessions.get(session_id)
        if session is None or time.monotonic() > session.expires_at or seq in session.used:
            return None
        expected = md5_hex(self.username + self.password + session_id + seq + resource)
        if not secrets.compare_digest(auth.lower(), expected):
            return None
        session.used.add(seq)
        key = hashlib.md5(
            (self.username + self.password + session.first_auth + session_id + seq).encode(), usedforsecurity=False
        ).digest()
        return session, key

    @staticmethod
    def decrypt(session: Session, key: bytes, body: bytes) -> bytes:
        """Plain text of an encrypted request body."""
        if not body:
            return body
        return aes_decrypt(key, body) if session.mode == "aes" else rc4(key, body)
