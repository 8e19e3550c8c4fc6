"""Every output goes through one writer (lsc_tui.config.files.write_file); these tests hold it
to docs/reliability.md: special files, the symlink policy, 0600 temporary and backup files,
owner and mode kept, hard links, multi-file writes that check every target first, CRLF .env
files, backup names, and failures that name the file."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from lsc_tui.config.yaml import files, save
from lsc_tui.config.secrets import apply_plan, plan_fix
from lsc_tui.config.workspace import load_workspace
from lsc_tui.config.yaml.save import FileChangedError, atomic_write

sys.path.insert(0, str(Path(__file__).parent))
from unprivileged import run_cli  # noqa: E402

DEMO = Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "demo"
CR = (Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "llama-stack-k8s-operator" / "config"
      / "samples" / "example-withoutconfigmap.yaml")
EXTRA = ("apiVersion: llamastack.io/v1alpha1\nkind: ExternalProviders\nproviders:\n"
         "  inference:\n  - provider_id: x\n    provider_type: remote::x\n    module: x_pkg\n")
MULTILINE = """\
mcp_servers:
  - name: x
    url: http://x
    authorization_headers:
      api_key: |
        Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA
        c2Vjb25kbGluZW9mdGhlc2VjcmV0dmFsdWU
"""
SECRET_FILE = "mcp-servers-authorization-headers-api-key.secret"
NOBODY = 65534


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("LSC_TUI_DEBUG", "1")  # an internal error fails the test
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture
def ws(tmp_path) -> Path:
    d = tmp_path / "ws"
    shutil.copytree(DEMO, d)
    (d / "extra.yaml").write_text(EXTRA)
    shutil.copy(CR, d / "cr.yaml")
    return d


def _temps(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".lsc-tui.tmp")]


def _char_device(tmp_path: Path) -> Path:
    """A /dev/null-like character device in a temporary directory (we run as root in CI)."""
    if os.geteuid() != 0:
        return Path("/dev/null")
    dev = tmp_path / "null"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return dev


# -- 1. devices and FIFOs ---------------------------------------------------------------------

OUTPUTS = {
    "synthesize -o": lambda ws, out: ["synthesize", "lightspeed-stack.yaml", "-o", out],
    "merge-external -o": lambda ws, out: ["merge-external", "--run-yaml", "run.yaml", "--extra-providers",
                                          "extra.yaml", "-o", out],
    "merge-external --log": lambda ws, out: ["merge-external", "--run-yaml", "run.yaml", "--extra-providers",
                                             "extra.yaml", "--log", out],
    "expand -o": lambda ws, out: ["expand", "cr.yaml", "-o", out],
    "schema -o": lambda ws, out: ["schema", "run-yaml", "-o", out],
}


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_a_character_device_is_written_into_never_replaced(ws, tmp_path, command):
    for dev in {_char_device(tmp_path), Path("/dev/null")}:
        code, output = run_cli(OUTPUTS[command](ws, str(dev)), ws)
        assert code == 0, output
        assert stat.S_ISCHR(os.lstat(dev).st_mode), f"{command} replaced {dev}"
        assert not [p for p in dev.parent.iterdir() if p.name.startswith(".null.")] if dev.parent == tmp_path else True


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_a_fifo_is_written_into_when_read_and_refused_clearly_when_not(ws, tmp_path, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, output = run_cli(OUTPUTS[command](ws, str(fifo)), ws)  # nobody reads it: refused, never blocks
    assert code in (1, 2) and "FIFO" in output and "no process is reading it" in output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    # A reader holds it open and drains it in a thread (the output may be more than the pipe holds).
    # The test holds a write end of its own as well, so the reader's reads block until data comes
    # and end (EOF) only once every writer closed: once lsc-tui returned and the test let go of its
    # end, everything written has been read, however late the thread runs. (It polled before, and
    # could see "nothing yet", be put aside while lsc-tui wrote and returned, then stop unread.)
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # non-blocking: no writer needed to open it
    held = os.open(fifo, os.O_WRONLY)  # a reader exists, so this does not block
    os.set_blocking(fd, True)
    got = []

    def drain():
        while chunk := os.read(fd, 65536):
            got.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        code, output = run_cli(OUTPUTS[command](ws, str(fifo)), ws)
    finally:
        os.close(held)  # the last writer gone: the reader reads what is left, then EOF
        reader.join(60)
        os.close(fd)
    assert not reader.is_alive(), "the reader never saw the end of the output"
    assert code == 0, output
    # exactly what the same command writes into a regular file
    code, output = run_cli(OUTPUTS[command](ws, str(tmp_path / "regular")), ws)
    assert code == 0, output
    assert b"".join(got) == (tmp_path / "regular").read_bytes()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_secrets_fix_env_file_on_a_device_is_refused_and_the_device_stays(ws, tmp_path):
    dev = _char_device(tmp_path)
    code, output = run_cli(["secrets", "fix", "lightspeed-stack.yaml", "--env-file", str(dev), "--write"], ws)
    assert code == 2 and "character device" in output and "Nothing was written" in output
    assert stat.S_ISCHR(os.lstat(dev).st_mode)
    assert not (ws / "lightspeed-stack.yaml.bak").exists()


def test_export_and_migrate_refuse_special_files_in_their_place(ws, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "configmap.yaml")  # a FIFO planted where export writes: not the operator's choice
    code, output = run_cli(["export", "k8s", "lightspeed-stack.yaml", "-o", str(out)], ws)
    assert code == 2 and "FIFO" in output  # an output that cannot be written: 2, as for every command
    assert not (out / "llamastackdistribution.yaml").exists()  # checked before anything was written
    dev = _char_device(tmp_path)
    code, output = run_cli(["migrate", "lightspeed-stack.yaml", "-o", str(dev)], ws)
    assert code in (1, 2) and "read back" in output
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


def test_a_directory_as_output_is_refused_with_its_name(ws):
    (ws / "d").mkdir()
    code, output = run_cli(["synthesize", "lightspeed-stack.yaml", "-o", "d"], ws)
    assert code == 2 and "d:0:0: error: cannot write: it is a directory" in output


@pytest.mark.parametrize("out", ["lightspeed-stack.yaml", "run.yaml", "./run.yaml", "link-to-config.yaml"])
def test_synthesize_never_writes_over_a_file_it_reads(ws, out):
    """`synthesize -o lightspeed-stack.yaml` (for `-o run.yaml`) replaced the operator's config with
    the run.yaml, with no backup (LCORE's own output has none); the same for the legacy run.yaml."""
    (ws / "link-to-config.yaml").symlink_to("lightspeed-stack.yaml")
    before = {p.name: p.read_bytes() for p in ws.iterdir() if p.is_file()}
    code, output = run_cli(["synthesize", "lightspeed-stack.yaml", "-o", out], ws)
    assert code == 2, output
    assert "which this synthesis reads" in output and f"{out}:0:0: error: cannot write" in output
    assert {p.name: p.read_bytes() for p in ws.iterdir() if p.is_file()} == before


# -- 2. symlinks --------------------------------------------------------------------------------


def _secrets_ws(ws: Path) -> Path:
    with open(ws / "lightspeed-stack.yaml", "a") as fh:
        fh.write(MULTILINE)
    return ws


def test_dangling_env_and_secret_links_never_create_files_outside(ws, tmp_path):
    _secrets_ws(ws)
    outside = tmp_path / "outside"
    outside.mkdir()
    (ws / ".env").symlink_to("../outside/.ssh/authorized_keys")
    (ws / SECRET_FILE).symlink_to("../outside/planted/x.secret")
    config_before = (ws / "lightspeed-stack.yaml").read_bytes()
    code, output = run_cli(["secrets", "fix", "lightspeed-stack.yaml", "--write"], ws)
    assert code == 2
    assert "symlink" in output and "outside the workspace" in output and "Nothing was written" in output
    assert list(outside.iterdir()) == []  # no file, no directory
    assert (ws / "lightspeed-stack.yaml").read_bytes() == config_before
    assert not (ws / "lightspeed-stack.yaml.bak").exists()


def test_an_env_link_inside_the_workspace_is_written_through(ws):
    (ws / "secrets").mkdir()
    (ws / ".env").symlink_to("secrets/app.env")
    code, output = run_cli(["secrets", "fix", "lightspeed-stack.yaml", "--write"], ws)
    assert code == 0, output
    assert (ws / ".env").is_symlink() and "POSTGRES_PASSWORD=" in (ws / "secrets" / "app.env").read_text()


def test_env_file_the_operator_names_is_written_through_its_link(ws, tmp_path):
    elsewhere = tmp_path / "etc" / "app.env"
    elsewhere.parent.mkdir()
    (ws / "named.env").symlink_to(elsewhere)
    code, output = run_cli(["secrets", "fix", "lightspeed-stack.yaml", "--env-file", "named.env", "--write"], ws)
    assert code == 0, output
    assert "POSTGRES_PASSWORD=" in elsewhere.read_text() and (ws / "named.env").is_symlink()


def test_generated_run_yaml_link_to_another_users_file_is_refused(ws, tmp_path):
    victim = tmp_path / "victim.yaml"
    victim.write_text("precious: true\n")
    if os.geteuid() == 0:
        os.chown(victim, NOBODY, NOBODY)
    (ws / ".generated").mkdir()
    (ws / ".generated" / "run.yaml").symlink_to(victim)
    code, output = run_cli(["synthesize", "lightspeed-stack.yaml"], ws)
    assert code == 2 and "outside the workspace" in output and str(victim) in output
    assert victim.read_text() == "precious: true\n"
    # named explicitly, the operator gets what they asked for: written through, the link kept
    code, output = run_cli(["synthesize", "lightspeed-stack.yaml", "-o", ".generated/run.yaml"], ws)
    assert code == 0, output
    assert (ws / ".generated" / "run.yaml").is_symlink() and "providers" in victim.read_text()


def test_a_generated_directory_link_out_of_the_workspace_is_refused(ws, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (ws / ".generated").symlink_to(tmp_path / "elsewhere")
    code, output = run_cli(["synthesize", "lightspeed-stack.yaml"], ws)
    assert code == 2 and "outside the workspace" in output
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_missing_directories_are_created_only_inside_the_workspace(tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    with pytest.raises(files.WriteError) as exc:
        files.write_file(tmp_path / "out" / "deep" / "x", "a", workspace=ws)
    assert "outside the workspace" in str(exc.value) and not (tmp_path / "out").exists()
    files.write_file(ws / "a" / "b" / "x", "a", workspace=ws)
    assert (ws / "a" / "b" / "x").read_text() == "a"
    (ws / "link").symlink_to(tmp_path / "nowhere" / "file")  # named, but through a dangling link
    with pytest.raises(files.WriteError) as exc:
        files.write_file(ws / "link", "a")
    assert "does not create directories for a link's target" in str(exc.value)
    assert not (tmp_path / "nowhere").exists()


def test_editor_save_keeps_referenced_files_in_the_workspace(ws, tmp_path):
    from lsc_tui.config.session import EditSession, SetValue

    outside = tmp_path / "outside-run.yaml"
    shutil.move(ws / "run.yaml", outside)
    (ws / "run.yaml").symlink_to(outside)
    s = EditSession.open(ws / "lightspeed-stack.yaml", cwd=ws)
    before = outside.read_text()
    s.apply(SetValue(ws / "run.yaml", ("distro_name",), "edited"))
    with pytest.raises(files.WriteError) as exc:
        s.save()
    assert "outside the workspace" in str(exc.value)
    assert outside.read_text() == before


# -- 3. temporary files and backups: 0600 from the first byte, removed on failure ---------------


def test_backup_is_0600_from_its_first_byte_under_any_umask(tmp_path, monkeypatch):
    p = tmp_path / "c.yaml"
    p.write_text("password: hunter2\n")
    os.chmod(p, 0o644)
    seen = []
    real_fdopen = os.fdopen

    def spy(fd, *a, **k):
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_fdopen(fd, *a, **k)

    monkeypatch.setattr(os, "fdopen", spy)
    old = os.umask(0)
    try:
        done = atomic_write(p, "password: ${env.P}\n")
    finally:
        os.umask(old)
    assert seen == [0o600, 0o600]  # the backup's temporary file, then the config's
    assert stat.S_IMODE(done.backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(p.stat().st_mode) == 0o644  # the config keeps its mode


@pytest.mark.parametrize("fail", ["fsync", "replace", "fchmod-final"])
def test_failures_between_create_and_rename_leave_no_temporary_file(tmp_path, monkeypatch, fail):
    p = tmp_path / "c.yaml"
    p.write_text("a: 1\n")
    real = {"fsync": os.fsync, "replace": os.replace, "fchmod": os.fchmod}
    calls = {"n": 0}

    def boom(*a, **k):
        raise OSError(errno.EIO, "Input/output error")

    if fail == "fchmod-final":
        def fchmod(fd, mode):
            calls["n"] += 1
            if calls["n"] > 1:  # the first sets 0600, the second the final mode
                boom()
            return real["fchmod"](fd, mode)
        monkeypatch.setattr(os, "fchmod", fchmod)
    else:
        monkeypatch.setattr(os, fail, boom)
    with pytest.raises(files.WriteError) as exc:
        atomic_write(p, "a: 2\n")
    assert str(p) in str(exc.value)
    assert p.read_text() == "a: 1\n"
    assert _temps(tmp_path) == []


def test_killed_while_writing_the_backup_leaves_only_0600_copies(tmp_path):
    """A kill between creating the backup's temporary file and renaming it."""
    p = tmp_path / ".env"
    p.write_text("API_KEY=sk-live-secret\n")
    os.chmod(p, 0o644)
    code = textwrap.dedent(f"""
        import os
        from lsc_tui.config.yaml import save
        def die(src, dst):
            os._exit(9)
        os.replace = die
        os.umask(0)
        save.atomic_write({str(p)!r}, "API_KEY=${{env.X}}\\n")
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert r.returncode == 9
    leftovers = _temps(tmp_path)
    assert leftovers, "the kill should have left the backup's temporary file"
    for name in leftovers:
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert p.read_text() == "API_KEY=sk-live-secret\n"


def test_sigterm_during_a_write_removes_the_temporary_file(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("a: 1\n")
    code = textwrap.dedent(f"""
        import os, signal, sys
        from lsc_tui import cli
        from lsc_tui.config.yaml import save
        real = os.fsync
        def slow(fd):
            os.kill(os.getpid(), signal.SIGTERM)  # arrives between create and rename
            return real(fd)
        os.fsync = slow
        signal.signal(signal.SIGTERM, cli._on_sigterm)
        try:
            save.atomic_write({str(p)!r}, "a: 2\\n", backup=False)
        except cli.Terminated:
            sys.exit(143)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert r.returncode == 143, r.stderr
    assert _temps(tmp_path) == [] and p.read_text() == "a: 1\n"


# -- 4. owner, group, mode; hard links -----------------------------------------------------------


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_secrets_fix_as_root_keeps_the_service_users_ownership(ws):
    for name in ("lightspeed-stack.yaml", "run.yaml"):
        os.chown(ws / name, NOBODY, NOBODY)
        os.chmod(ws / name, 0o640)
    (ws / ".env").write_text("OTHER=1\n")
    os.chown(ws / ".env", NOBODY, NOBODY)
    os.chmod(ws / ".env", 0o600)
    code, output = run_cli(["secrets", "fix", "lightspeed-stack.yaml", "--write"], ws)
    assert code == 0, output
    for name, mode in (("lightspeed-stack.yaml", 0o640), (".env", 0o600), ("lightspeed-stack.yaml.bak", 0o600)):
        st = (ws / name).stat()
        assert (st.st_uid, st.st_gid) == (NOBODY, NOBODY), name
        assert stat.S_IMODE(st.st_mode) == mode, name
    assert "${env.POSTGRES_PASSWORD}" in (ws / "lightspeed-stack.yaml").read_text()


def test_owner_that_cannot_be_kept_is_said(tmp_path, monkeypatch):
    p = tmp_path / "c.yaml"
    p.write_text("a: 1\n")
    st = p.stat()
    monkeypatch.setattr(os, "geteuid", lambda: st.st_uid + 1)  # as if we were another user

    def deny(*a, **k):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", deny)
    done = atomic_write(p, "a: 2\n")
    assert any("could not keep its owner" in n for n in done.notes)


def test_a_hard_link_is_reported_as_broken(ws):
    os.link(ws / "lightspeed-stack.yaml", ws / "also-the-config.yaml")
    code, output = run_cli(["secrets", "fix", "lightspeed-stack.yaml", "--write"], ws)
    assert code == 0, output
    assert "2 hard links" in output
    assert "Tr0ub4dor" in (ws / "also-the-config.yaml").read_text()  # the other link is the old file


# -- 5. multi-file writes, CRLF, backup names, out of space ------------------------------------


def test_a_refused_concurrent_change_writes_nothing_at_all(ws):
    _secrets_ws(ws)
    plan = plan_fix(load_workspace(ws / "lightspeed-stack.yaml"))
    assert plan.ok and {w.role for w in plan.writes} == {"env", "secret-file", "config"}
    with open(ws / "lightspeed-stack.yaml", "a") as fh:
        fh.write("# someone else saved\n")
    with pytest.raises(FileChangedError) as exc:
        apply_plan(plan)
    assert "nothing was written" in str(exc.value)
    assert not (ws / ".env").exists() and not (ws / SECRET_FILE).exists()
    assert not (ws / "lightspeed-stack.yaml.bak").exists()


def test_a_failure_after_some_files_were_written_says_exactly_which(ws, monkeypatch):
    _secrets_ws(ws)
    plan = plan_fix(load_workspace(ws / "lightspeed-stack.yaml"))
    real = files._replace

    def full_for_config(target, raw, mode, owner):
        if target.name == "lightspeed-stack.yaml":
            raise files._named(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), target)
        return real(target, raw, mode, owner)

    monkeypatch.setattr(files, "_replace", full_for_config)
    from lsc_tui.config.secrets import FixError

    with pytest.raises(FixError) as exc:
        apply_plan(plan)
    text = str(exc.value)
    assert "No space left on device" in text and "lightspeed-stack.yaml" in text
    assert "already written:" in text and ".env" in text and SECRET_FILE in text
    assert "nothing was written" not in text.lower()


def test_crlf_env_file_keeps_crlf(ws):
    _secrets_ws(ws)
    (ws / ".env").write_bytes(b"# ours\r\nOTHER=1\r\n")
    code, output = run_cli(["secrets", "fix", "lightspeed-stack.yaml", "--write"], ws)
    assert code == 0, output
    raw = (ws / ".env").read_bytes()
    assert b"POSTGRES_PASSWORD=" in raw
    assert raw.count(b"\n") == raw.count(b"\r\n"), raw


def test_migrate_prints_the_backup_it_wrote(ws):
    (ws / "lightspeed-stack.yaml.pre-migrate.bak").write_text("an older backup\n")
    code, output = run_cli(["migrate", "lightspeed-stack.yaml", "--write", "--strategy", "lift"], ws)
    assert code == 0, output
    named = {line.split()[1] for line in output.splitlines() if line.strip().startswith("backup ")}
    assert named == {"lightspeed-stack.yaml.pre-migrate.1.bak"}, output
    assert "backup lightspeed-stack.yaml.pre-migrate.1.bak" in output.replace("; backup ", "\nbackup ")
    assert (ws / "lightspeed-stack.yaml.pre-migrate.1.bak").exists()
    assert stat.S_IMODE((ws / "lightspeed-stack.yaml.pre-migrate.1.bak").stat().st_mode) == 0o600
    assert (ws / "lightspeed-stack.yaml.pre-migrate.bak").read_text() == "an older backup\n"


@pytest.mark.parametrize("argv", [
    ["synthesize", "lightspeed-stack.yaml", "-o", "out.yaml"],
    ["merge-external", "--run-yaml", "run.yaml", "--extra-providers", "extra.yaml", "-o", "out.yaml"],
    ["expand", "cr.yaml", "-o", "out.yaml"],
    ["schema", "run-yaml", "-o", "out.yaml"],
    ["secrets", "fix", "lightspeed-stack.yaml", "--env-file", "out.yaml", "--write"],
    ["migrate", "lightspeed-stack.yaml", "--strategy", "lift", "-o", "out.yaml"],
])
def test_out_of_space_names_the_file(ws, monkeypatch, argv):
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.fh.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: Full(real_fdopen(fd, *a, **k)))
    code, output = run_cli(argv, ws)
    assert code in (1, 2)
    assert "out.yaml" in output and "No space left on device" in output, output
    assert "internal error" not in output
    assert _temps(ws) == []


def test_yaml_save_goes_through_the_one_writer(tmp_path, monkeypatch):
    """The writer of record: the YAML save (yaml.save.atomic_write) is files.write_file (one place to hold to the rules)."""
    seen = []
    real = files.write_file
    monkeypatch.setattr(files, "write_file", lambda *a, **k: seen.append(a[0]) or real(*a, **k))
    save.atomic_write(tmp_path / "x.yaml", "a: 1\n")
    assert seen == [tmp_path / "x.yaml"]
