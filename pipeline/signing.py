"""Authenticity of a release: Ed25519 signatures in OpenSSH's SSHSIG format.

Checksums prove a zip is intact, not who made it: anyone can rewrite every
file and its checksums consistently. A maintainer signs the zip offline
(`recruitment sign`, or `ssh-keygen -Y sign -n russia-war-recruitment -f KEY ZIP`,
which give the same bytes), the detached signature `<zip>.sig` travels beside
the zip, and `validate` checks it against the project's public keys,
committed in `keys/release-signing.pub` (one OpenSSH public key per line).

This module reads and writes the format itself (with `cryptography`), so
checking needs no ssh-keygen; the tests check it against ssh-keygen.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from .problems import PipelineError

NAMESPACE = "russia-war-recruitment"
PUBLIC_KEYS = Path("keys") / "release-signing.pub"
MAGIC = b"SSHSIG"
ARMOUR_BEGIN = "-----BEGIN SSH SIGNATURE-----"
ARMOUR_END = "-----END SSH SIGNATURE-----"
KEY_TYPE = "ssh-ed25519"
HASH = "sha512"

SIGNED = "signed"
UNSIGNED = "unsigned"
TAMPERED = "tampered"


@dataclass(frozen=True)
class Authenticity:
    status: str  # signed, unsigned or tampered
    message: str


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _read_strings(blob: bytes) -> list[bytes]:
    out, at = [], 0
    while at < len(blob):
        if at + 4 > len(blob):
            raise ValueError("truncated")
        (size,) = struct.unpack(">I", blob[at:at + 4])
        at += 4
        if at + size > len(blob):
            raise ValueError("truncated")
        out.append(blob[at:at + size])
        at += size
    return out


def _key_blob(raw_public: bytes) -> bytes:
    return _string(KEY_TYPE.encode()) + _string(raw_public)


def key_fingerprint(key_blob: bytes) -> str:
    """The key's fingerprint as ssh-keygen -l prints it (SHA256:…)."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(key_blob).digest()).decode().rstrip("=")


def _signed_data(message: bytes) -> bytes:
    return (MAGIC + _string(NAMESPACE.encode()) + _string(b"") + _string(HASH.encode())
            + _string(hashlib.sha512(message).digest()))


def sign_bytes(message: bytes, private_key_pem: bytes, password: bytes | None = None) -> str:
    """An armoured SSHSIG signature of `message` by an OpenSSH Ed25519 private key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_ssh_private_key

    try:
        key = load_ssh_private_key(private_key_pem, password)
    except (ValueError, TypeError) as error:
        raise PipelineError(f"cannot read the private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise PipelineError("the signing key must be an Ed25519 key (ssh-keygen -t ed25519)")
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    signature = _string(KEY_TYPE.encode()) + _string(key.sign(_signed_data(message)))
    blob = (MAGIC + struct.pack(">I", 1) + _string(_key_blob(public)) + _string(NAMESPACE.encode())
            + _string(b"") + _string(HASH.encode()) + _string(signature))
    text = base64.b64encode(blob).decode()
    lines = [text[i:i + 70] for i in range(0, len(text), 70)]
    return "\n".join([ARMOUR_BEGIN, *lines, ARMOUR_END]) + "\n"


def public_keys(text: str) -> dict[bytes, str]:
    """The Ed25519 keys of an OpenSSH public-key file (one per line, `#` comments), by key blob."""
    keys = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == KEY_TYPE:
            blob = base64.b64decode(parts[1])
            keys[blob] = " ".join(parts[2:]) or key_fingerprint(blob)
    return keys


def verify_bytes(message: bytes, armoured: str, trusted: dict[bytes, str]) -> Authenticity:
    """Whether `armoured` is a valid signature of `message` by one of the `trusted` keys."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        body = armoured.strip()
        if not (body.startswith(ARMOUR_BEGIN) and body.endswith(ARMOUR_END)):
            raise ValueError("not an SSH signature")
        blob = base64.b64decode("".join(body[len(ARMOUR_BEGIN):-len(ARMOUR_END)].split()), validate=True)
        if blob[:6] != MAGIC or struct.unpack(">I", blob[6:10])[0] != 1:
            raise ValueError("not an SSHSIG version 1 signature")
        key_blob, namespace, _reserved, hash_name, signature = _read_strings(blob[10:])
        key_type, raw_public = _read_strings(key_blob)
        sig_type, raw_signature = _read_strings(signature)
    except (ValueError, struct.error) as error:
        return Authenticity(TAMPERED, f"the signature file is unreadable ({error})")
    if namespace != NAMESPACE.encode() or hash_name != HASH.encode() or key_type != sig_type != KEY_TYPE.encode():
        return Authenticity(TAMPERED, "the signature is not a release signature of this project "
                                      f"(namespace {namespace.decode(errors='replace')!r})")
    if key_blob not in trusted:
        return Authenticity(TAMPERED, f"signed by a key that is not the project's ({key_fingerprint(key_blob)})")
    try:
        Ed25519PublicKey.from_public_bytes(raw_public).verify(raw_signature, _signed_data(message))
    except (InvalidSignature, ValueError):
        return Authenticity(TAMPERED, "the signature does not match the zip: its bytes changed after signing")
    return Authenticity(SIGNED, f"signed by the project's key {trusted[key_blob]} ({key_fingerprint(key_blob)})")


def signature_path(zip_path: Path) -> Path:
    return zip_path.with_name(zip_path.name + ".sig")


def project_keys(root: Path) -> dict[bytes, str]:
    path = Path(root) / PUBLIC_KEYS
    if not path.is_file() or path.is_symlink():
        return {}
    return public_keys(path.read_text(encoding="utf-8"))


def authenticity(zip_path: Path, root: Path, signature: Path | None = None) -> Authenticity:
    """Signed by the project's key, intact but unsigned, or tampered (the zip's integrity is checked apart)."""
    zip_path = Path(zip_path)
    signature = Path(signature) if signature else signature_path(zip_path)
    if not signature.is_file():
        return Authenticity(UNSIGNED, f"no signature beside the zip ({signature.name}): its checksums "
                                      "prove it intact, not that the project made it")
    return verify_bytes(zip_path.read_bytes(), signature.read_text(encoding="utf-8", errors="replace"),
                        project_keys(root))


def sign(zip_path: Path | str, key_path: Path | str) -> Path:
    """Write `<zip>.sig` beside the zip, signed with an OpenSSH Ed25519 private key; return its path."""
    zip_path, key_path = Path(zip_path), Path(key_path).expanduser()
    try:
        key = key_path.read_bytes()
        message = zip_path.read_bytes()
    except OSError as error:
        raise PipelineError(f"{error.filename}: {error.strerror}") from None
    out = signature_path(zip_path)
    out.write_text(sign_bytes(message, key), encoding="utf-8")
    return out
