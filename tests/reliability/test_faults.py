"""Faults while saving: after each, the original is intact or the new file complete, a backup
exists where one was due, and the operator is told. Nothing is ever world-readable."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lsc_tui.config.yaml import files
from lsc_tui.config.session import EditSession, SetValue
from lsc_tui.config.yaml.save import FileChangedError, atomic_write

DEMO = Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "demo"


@pytest.fixture
def ws(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    d = tmp_path / "ws"
    shutil.copytree(DEMO, d)
    return d


def _session(ws):
    s = EditSession.open(ws / "lightspeed-stack.yaml", cwd=ws)
    s.apply(SetValue(ws / "run.yaml", ("distro_name",), "edited"))
    return s


def _no_temp_files(folder: Path):
    return [p.name for p in folder.iterdir() if p.name.endswith(".lsc-tui.tmp")]


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EIO])
def test_write_failure_keeps_original(ws, monkeypatch, err):
    s = _session(ws)
    original = (ws / "run.yaml").read_bytes()
    real_fdopen = os.fdopen

    class Failing:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.fh.close()

        def write(self, data):
            raise OSError(err, os.strerror(err))

    def fake_fdopen(fd, *a, **k):
        fh = real_fdopen(fd, *a, **k)
        return Failing(fh) if "w" in (a[0] if a else k.get("mode", "")) else fh

    monkeypatch.setattr(files.os, "fdopen", fake_fdopen)
    with pytest.raises(OSError):
        s.save()
    assert (ws / "run.yaml").read_bytes() == original
    assert _no_temp_files(ws) == []
    assert s.dirty  # the edit is still there to save again


def test_rename_failure_keeps_original(ws, monkeypatch):
    s = _session(ws)
    original = (ws / "run.yaml").read_bytes()

    def boom(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(files.os, "replace", boom)
    with pytest.raises(OSError):
        s.save()
    assert (ws / "run.yaml").read_bytes() == original
    assert _no_temp_files(ws) == []


def _save_in(folder: str) -> str:
    s = _session(Path(folder))
    try:
        s.save()
    except OSError as exc:
        return str(exc)
    return "saved"


def test_read_only_directory(ws):
    """As an ordinary user (root's file privileges dropped in a child, see unprivileged.py)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from unprivileged import unprivileged

    original = (ws / "run.yaml").read_bytes()
    os.chmod(ws, 0o555)
    try:
        message = unprivileged(_save_in, str(ws))
    finally:
        os.chmod(ws, 0o755)
    assert "run.yaml" in message and "Permission denied" in message
    assert (ws / "run.yaml").read_bytes() == original
    assert _no_temp_files(ws) == []


def test_killed_between_write_and_rename(ws):
    """A process killed after writing the temporary file and before the rename."""
    target = ws / "run.yaml"
    original = target.read_bytes()
    original_mode = stat.S_IMODE(target.stat().st_mode)
    code = textwrap.dedent(f"""
        import os, sys
        from lsc_tui.config.yaml import files, save
        def die(src, dst):
            os._exit(9)
        files.os.replace = die
        save.atomic_write({str(target)!r}, "version: 2\\n")
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert r.returncode == 9
    assert target.read_bytes() == original  # the original is intact
    leftovers = _no_temp_files(ws)
    # the temporary file may remain (no chance to clean up); it is complete and no more open than the original
    for name in leftovers:
        p = ws / name
        assert p.read_bytes() in (original, b"version: 2\n")  # complete: the backup's or the new text
        assert stat.S_IMODE(p.stat().st_mode) & ~original_mode == 0  # never more open than the original


def test_backup_is_written_before_the_file(ws):
    s = _session(ws)
    original = (ws / "run.yaml").read_bytes()
    [result] = s.save()
    assert result.backup == ws / "run.yaml.bak" and result.backup.read_bytes() == original


def test_file_replaced_on_disk_during_an_edit(ws):
    s = _session(ws)
    theirs = (ws / "run.yaml").read_text().replace("lsc-tui-demo", "theirs")
    (ws / "run.yaml").write_text(theirs)
    with pytest.raises(FileChangedError) as exc:
        s.save()
    assert "changed on disk" in str(exc.value)
    assert (ws / "run.yaml").read_text() == theirs


def test_secret_bearing_files_are_never_world_readable_even_briefly(tmp_path, monkeypatch):
    """Record the mode of the temporary file at every write: it is 0600 before the first byte."""
    seen = []
    real_fdopen = os.fdopen

    def spy(fd, *a, **k):
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_fdopen(fd, *a, **k)

    monkeypatch.setattr(files.os, "fdopen", spy)
    old = os.umask(0)  # the most permissive umask an operator could have
    try:
        atomic_write(tmp_path / ".env", "A=1\n", mode=0o600)
    finally:
        os.umask(old)
    assert seen and all(m == 0o600 for m in seen)
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600


def test_two_editors_on_one_file(ws):
    """The second save is refused, not silently merged or lost."""
    a = _session(ws)
    b = EditSession.open(ws / "lightspeed-stack.yaml", cwd=ws)
    b.apply(SetValue(ws / "run.yaml", ("distro_name",), "from-b"))
    a.save()
    with pytest.raises(FileChangedError):
        b.save()
    assert "distro_name: edited" in (ws / "run.yaml").read_text()
    assert b.check_disk() == [(ws / "run.yaml", "conflict")]
