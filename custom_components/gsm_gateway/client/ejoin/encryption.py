"""The optional encrypted session of Skyline v2.4 (`crypt_sess.json`). Off unless the caller asks for it.

Handshake: `GET /crypt_sess.json?username&cnonce&auth&crypt&expires` with
`auth = md5(username + password + cnonce + "/crypt_sess.json")` answers `{"code": 0, "session", "expires"}`.
Every later request carries `session`, `seq` (1, 2, ...) and `auth = md5(username + password + session + seq
+ resource)` instead of the password, and its body is encrypted with
`key = md5(username + password + first auth + session + seq)` (16 raw bytes): AES-128-ECB with zero padding,
or RC4. Drafts disagree on the field order of these hashes; docs/protocol-ejoin.md records the one used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
import hashlib
import secrets
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HANDSHAKE_RESOURCE = "/crypt_sess.json"
DEFAULT_EXPIRES = 180
RENEW_MARGIN = 10.0  # seconds before expiry when a new session is opened instead of risking a refusal
AES_BLOCK = 16


class CryptMode(StrEnum):
    """Body cipher of an encrypted session (the `crypt` parameter)."""

    AES = "aes"
    RC4 = "rc4"


def md5_hex(*parts: str) -> str:
    """Lower-case hex MD5 of the concatenated parts."""
    return hashlib.md5("".join(parts).encode(), usedforsecurity=False).hexdigest()


def rc4(key: bytes, data: bytes) -> bytes:
    """RC4 (symmetric: the same call encrypts and decrypts)."""
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def aes_ecb_encrypt(key: bytes, data: bytes) -> bytes:
    """AES-ECB with zero padding to the block size (the scheme the firmware uses; not a secure mode)."""
    padded = data + b"\x00" * (-len(data) % AES_BLOCK)
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305 - the device's protocol
    return encryptor.update(padded) + encryptor.finalize()


def aes_ecb_decrypt(key: bytes, data: bytes) -> bytes:
    """Inverse of `aes_ecb_encrypt`; trailing zero bytes are dropped."""
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()  # noqa: S305 - the device's protocol
    return (decryptor.update(data) + decryptor.finalize()).rstrip(b"\x00")


def encrypt(mode: CryptMode, key: bytes, data: bytes) -> bytes:
    """Encrypt a request body."""
    return aes_ecb_encrypt(key, data) if mode is CryptMode.AES else rc4(key, data)


def decrypt(mode: CryptMode, key: bytes, data: bytes) -> bytes:
    """Decrypt a body encrypted with `encrypt`."""
    return aes_ecb_decrypt(key, data) if mode is CryptMode.AES else rc4(key, data)


@dataclass(frozen=True, slots=True)
class Handshake:
    """The parameters of a `crypt_sess.json` request and the auth they were built with."""

    params: dict[str, str] = field(repr=False)
    auth: str = field(repr=False)


def handshake(username: str, password: str, mode: CryptMode, *, expires: int = DEFAULT_EXPIRES) -> Handshake:
    """Parameters that open a session, with a fresh client nonce."""
    cnonce = secrets.token_hex(8)
    auth = md5_hex(username, password, cnonce, HANDSHAKE_RESOURCE)
    params = {"username": username, "cnonce": cnonce, "auth": auth, "crypt": mode.value, "expires": str(expires)}
    return Handshake(params=params, auth=auth)


@dataclass(slots=True)
class CryptSession:
    """An open session: signs requests and derives each request's body key."""

    username: str = field(repr=False)
    password: str = field(repr=False)
    mode: CryptMode
    session: str = field(repr=False)
    first_auth: str = field(repr=False)
    expires_at: float  # time.monotonic() deadline
    seq: int = 0

    @property
    def expired(self) -> bool:
        """True when the session is about to run out and should be renewed."""
        return time.monotonic() >= self.expires_at - RENEW_MARGIN

    def sign(self, resource: str) -> tuple[dict[str, str], bytes]:
        """Query parameters of the next request to `resource` (e.g. `/goip_post_sms.html`) and its body key."""
        self.seq += 1
        seq = str(self.seq)
        auth = md5_hex(self.username, self.password, self.session, seq, resource)
        key = hashlib.md5(
            (self.username + self.password + self.first_auth + self.session + seq).encode(), usedforsecurity=False
        ).digest()
        return {"session": self.session, "seq": seq, "auth": auth}, key
