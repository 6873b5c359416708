"""Output files are written whole or not at all (``oncotrial._writing``)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from oncotrial._writing import replace_atomically, write_text_atomically
from oncotrial.errors import DataError
from oncotrial.io.tables import write_table


def test_a_file_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_text("old\n", encoding="utf-8")
    write_text_atomically(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


def _write_half_then_fail(path: Path) -> None:
    with replace_atomically(path) as temporary:
        temporary.write_text("half a ta", encoding="utf-8")
        raise OSError("disk full")


def test_a_failure_half_way_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(OSError, match="disk full"):
        _write_half_then_fail(path)
    assert path.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_the_temporary_file_ends_with_the_target_name(tmp_path: Path) -> None:
    """pandas chooses compression by the name's ending: a .csv.gz must stay gzip."""
    with replace_atomically(tmp_path / "ADRS.csv.gz") as temporary:
        assert temporary.parent == tmp_path
        assert temporary.name.endswith("-ADRS.csv.gz")
        temporary.write_bytes(b"")


def test_a_new_file_gets_the_usual_permissions_and_a_replaced_file_keeps_its_own(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_text_atomically(tmp_path / "new.txt", "x")
        old = tmp_path / "old.txt"
        old.write_text("x", encoding="utf-8")
        old.chmod(0o640)
        write_text_atomically(old, "y")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644  # 0666 less the umask 022
    assert stat.S_IMODE(old.stat().st_mode) == 0o640


def test_a_symbolic_link_is_written_through(tmp_path: Path) -> None:
    target = tmp_path / "results" / "ADRS.csv"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    write_text_atomically(link, "new\n")
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["ADRS.csv"]


def test_a_device_is_written_in_place() -> None:
    """Renaming over /dev/null would replace the device with a file."""
    write_text_atomically(Path("/dev/null"), "nothing\n")
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_a_full_device_is_an_error_and_stays_a_device() -> None:
    with pytest.raises(OSError, match="No space left on device"):
        write_text_atomically(Path("/dev/full"), "x" * 100_000)
    assert stat.S_ISCHR(Path("/dev/full").stat().st_mode)


def test_write_table_failing_half_way_leaves_the_old_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ADRS.csv"
    path.write_text("USUBJID\nOLD\n", encoding="utf-8")

    def half_then_fail(self: pd.DataFrame, target: Path, **kwargs: object) -> None:
        Path(target).write_text("USUBJID\nNE", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_fail)
    with pytest.raises(DataError, match="No space left on device"):
        write_table(pd.DataFrame({"USUBJID": ["NEW"]}), path)
    assert path.read_text(encoding="utf-8") == "USUBJID\nOLD\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ADRS.csv"]
