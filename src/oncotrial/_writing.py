"""Writing output files whole or not at all: every writer of oncotrial goes through :func:`replace_atomically`.

The output is written to a temporary file in the same folder, then renamed over the target
(:func:`os.replace`, atomic on one file system), so a failure (a full disk, an error half way through a
table) never leaves half a file, and the temporary file is removed. A target that exists and is not a
regular file (``/dev/null``, ``/dev/full``, a pipe) is written in place: renaming over a device would
replace the device. A symbolic link is followed: the file it points to is replaced, the link kept.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["replace_atomically", "write_text_atomically"]


def _is_special(path: Path) -> bool:
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except FileNotFoundError:
        return False


def _mode_for(path: Path) -> int:
    """The permissions of the file being replaced, or those a new file gets (0666 less the umask)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def replace_atomically(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``, on failure it is removed.

    The temporary name ends with ``path``'s name, so writers that choose the format or compression by
    the suffix (``.csv.gz``, ``.parquet``) choose as for ``path``.

    Raises
    ------
    OSError
        When the folder cannot be written to or the data cannot be stored (the caller names the file).
    """
    path = Path(os.path.realpath(path))  # through a symbolic link, the file it points to is replaced
    if _is_special(path):
        yield path
        return
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=f"-{path.name}")
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all (see :func:`replace_atomically`)."""
    with replace_atomically(path) as temporary, temporary.open("w", encoding="utf-8") as stream:
        stream.write(text)
