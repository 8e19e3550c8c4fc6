"""Exit 2 with a located message, never "internal error": as an ordinary user (the tests drop
root's file privileges, see unprivileged.py) on unreadable and unwritable paths, and the two
crashes found by review (diff --json on a CR, deep nesting in the preflight)."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from unprivileged import run_cli, run_cli_unprivileged  # noqa: E402

DEMO = Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "demo"
CR = (Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "llama-stack-k8s-operator" / "config"
      / "samples" / "example-withoutconfigmap.yaml")

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="file capabilities are Linux's")


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("LSC_TUI_DEBUG", "")  # the real user's view: the polite message, or a located one
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture
def place(tmp_path) -> Path:
    """ws (a demo workspace), ro (a read-only copy), unr (a directory nobody may enter)."""
    shutil.copytree(DEMO, tmp_path / "ws")
    shutil.copytree(DEMO, tmp_path / "ro")
    shutil.copytree(DEMO, tmp_path / "unr")
    os.chmod(tmp_path / "ro", 0o555)
    os.chmod(tmp_path / "unr", 0o000)
    yield tmp_path
    os.chmod(tmp_path / "ro", 0o755)
    os.chmod(tmp_path / "unr", 0o755)


CASES = {
    "synthesize into a read-only directory": (["synthesize", "ro/lightspeed-stack.yaml", "-o", "ro/out.yaml"],
                                              "ro/out.yaml", "Permission denied"),
    "synthesize's default output in a read-only directory": (["synthesize", "lightspeed-stack.yaml"],
                                                             ".generated", "Permission denied"),
    "synthesize to an unwritable -o": (["synthesize", "ws/lightspeed-stack.yaml", "-o", "ws/locked.yaml"],
                                       "ws/locked.yaml", "read-only for you"),
    "secrets fix with an unreadable .env": (["secrets", "fix", "ws/lightspeed-stack.yaml", "--write"],
                                            "ws/.env", "permission denied"),
    "validate an unreadable directory": (["validate", "unr"], "unr", "permission denied"),
    "validate a file in an unreadable directory": (["validate", "unr/lightspeed-stack.yaml"],
                                                   "unr/lightspeed-stack.yaml", "permission denied"),
    "secrets scan an unreadable directory": (["secrets", "scan", "unr"], "unr", "permission denied"),
    "export k8s an unreadable directory": (["export", "k8s", "unr"], "unr", "permission denied"),
    "diff an unreadable directory": (["diff", "unr"], "unr", "permission denied"),
    "migrate an unreadable directory": (["migrate", "unr"], "unr", "permission denied"),
    "merge-external an unreadable run.yaml": (["merge-external", "--run-yaml", "ws/secret-run.yaml",
                                               "--extra-providers", "ws/secret-run.yaml"],
                                              "ws/secret-run.yaml", "permission denied"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_unprivileged_user_gets_a_located_message(place, case):
    argv, where, reason = CASES[case]
    (place / "ws" / "locked.yaml").write_text("old\n")
    os.chmod(place / "ws" / "locked.yaml", 0o444)
    (place / "ws" / ".env").write_text("OTHER=1\n")
    os.chmod(place / "ws" / ".env", 0o000)
    shutil.copy(place / "ws" / "run.yaml", place / "ws" / "secret-run.yaml")
    os.chmod(place / "ws" / "secret-run.yaml", 0o000)
    cwd = place / "ro" if case.startswith("synthesize's default") else place
    code, output = run_cli_unprivileged(argv, cwd)
    assert code in (1, 2), output
    assert "internal error" not in output and "Traceback" not in output, output
    assert where in output and reason.lower() in output.lower(), output
    assert (place / "ws" / "locked.yaml").read_text() == "old\n"
    assert not (place / "ro" / "out.yaml").exists()


def test_the_privileges_really_are_dropped(place):
    """Guard for the tests above: the child cannot read a 0000 file, even where we are root."""
    from unprivileged import unprivileged

    secret = place / "ws" / "x"
    secret.write_text("x")
    os.chmod(secret, 0o000)

    def try_read(p):
        try:
            Path(p).read_text()
            return "read"
        except PermissionError:
            return "denied"

    assert unprivileged(try_read, str(secret)) == "denied"


def test_secrets_scan_does_not_pass_a_config_whose_run_yaml_it_cannot_read(place):
    """The demo's config with its password already converted, and its run.yaml unreadable: the
    scan found nothing in the one file it read, and must not call the workspace clean."""
    config = place / "ws" / "lightspeed-stack.yaml"
    config.write_text(config.read_text().replace("Tr0ub4dor-and-3-horses", "${env.POSTGRES_PASSWORD}"))
    os.chmod(place / "ws" / "run.yaml", 0o000)
    code, output = run_cli_unprivileged(["secrets", "scan", "lightspeed-stack.yaml"], place / "ws")
    assert code == 2, output
    assert "run.yaml:0:0: error: file-permission: permission denied" in output and "fix:" in output


@pytest.mark.parametrize("argv", [["validate", "lightspeed-stack.yaml"], ["synthesize", "lightspeed-stack.yaml", "-o", "-"]],
                         ids=["validate", "synthesize"])
def test_a_run_yaml_the_config_names_but_cannot_be_read_exits_2(place, argv):
    """docs/reliability.md: an unreadable file gives `PATH:0:0: error: file-permission`, exit 2; the
    config's own run.yaml too (it exited 1, as for a rule the config breaks)."""
    os.chmod(place / "ws" / "run.yaml", 0o000)
    code, output = run_cli_unprivileged(argv, place / "ws")
    assert code == 2, output
    assert "run.yaml:0:0: error: file-permission: permission denied" in output


# -- the two crashes found by review -----------------------------------------------------------


def test_diff_json_on_a_cr_against_a_run_yaml(tmp_path):
    shutil.copy(CR, tmp_path / "cr.yaml")
    shutil.copy(DEMO / "run.yaml", tmp_path / "run.yaml")
    code, output = run_cli(["diff", "--json", "cr.yaml", "--against", "run.yaml"], tmp_path)
    assert code in (0, 1), output
    assert '"mode": "operator"' in output


def test_synthesize_a_cr_to_a_file(tmp_path):
    shutil.copy(CR, tmp_path / "cr.yaml")
    code, output = run_cli(["synthesize", "cr.yaml", "-o", "out.yaml"], tmp_path)
    assert code == 0 and "wrote out.yaml (operator" in output, output
    assert stat.S_IMODE((tmp_path / "out.yaml").stat().st_mode) == 0o600
