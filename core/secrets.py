"""The signing key: configured (``GUILDHALL_SECRET_KEY``), or made once per data folder.

Development (and test) without a configured key: the first start writes a random key to
``<data_dir>/secret.key`` (mode 0600) and every later start, in any process, reads the same
file, so ``make run`` needs no set-up and restarts keep tokens valid. Production never falls
back to a file: it refuses to start without a configured key.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

SECRET_FILE = "secret.key"
MIN_SECRET_BYTES = 32

log = logging.getLogger(__name__)


class SecretKeyError(ValueError):
    """The key is missing, too short or unreadable; the message says what to do."""


def check_secret_key(key: str, source: str = "GUILDHALL_SECRET_KEY") -> str:
    if len(key.encode()) < MIN_SECRET_BYTES:
        raise SecretKeyError(f"{source} must be at least {MIN_SECRET_BYTES} bytes")
    return key


def _read(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s is readable by other users (mode %o); chmod 600 it", path, mode)
    return check_secret_key(path.read_text(encoding="utf-8").strip(), str(path))


def _write_new(path: Path, key: str) -> bool:
    """Write ``key`` to ``path`` unless the file exists; True if this call created it.

    The key goes to a private temporary file first (``O_CREAT | O_EXCL``, mode 0600) that is
    then hard-linked to its name: the link fails if another process got there first, and a
    reader never sees a half-written key. Where hard links are not supported, ``path`` itself
    is created with ``O_EXCL``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(key + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:
            return _write_directly(path, key)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def _write_directly(path: Path, key: str) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    return True


def load_or_create_secret_key(data_dir: Path) -> str:
    """The key in ``data_dir/secret.key``, made (race-free) on first use."""
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        if _write_new(path, secrets.token_urlsafe(48)):
            log.warning("GUILDHALL_SECRET_KEY is not set: generated a signing key in %s", path)
    return _read(path)
