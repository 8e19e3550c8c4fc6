"""Every input error is a FindingError: located findings (file, line, column, fix) read the
same way whatever refused the input, so the commands, the editor and the language server
print them alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsc_tui.config.findings import FindingError
from lsc_tui.config.migration.analyse import MigrationInputError
from lsc_tui.config.migration.plan import Migration
from lsc_tui.config.operator.export import ExportInputError, plan_workspace_export
from lsc_tui.config.releases import DEFAULT_TARGET
from lsc_tui.config.releases.compare import CompareInputError, compare
from lsc_tui.config.releases.detect import DetectError, interpreter
from lsc_tui.config.workspace import WorkspaceError, load_workspace
from lsc_tui.config.yaml.files import ReadRefused, read_bytes
from lsc_tui.config.yaml.lint import YamlLoadError
from lsc_tui.config.yaml.document import load_document
from lsc_tui.config.yaml.streams import load_one

RUN = "version: 2\nimage_name: x\napis: [inference]\nproviders:\n  inference: []\n"


def _refusal(kind: type[FindingError], call) -> FindingError:
    with pytest.raises(kind) as exc:
        call()
    return exc.value


def cases(tmp: Path) -> dict[str, tuple[type[FindingError], object, str, int]]:
    """kind -> (exception class, the call that refuses, the file named, the line named)."""
    (tmp / "bad.yaml").write_text("a: 1\nb: [1\nc: 2\n")
    (tmp / "two.yaml").write_text("a: 1\n---\nb: 2\n")
    (tmp / "empty.yaml").write_text("")
    run_dir = tmp / "runonly"
    run_dir.mkdir()
    (run_dir / "run.yaml").write_text(RUN)
    return {
        "unreadable file": (ReadRefused, lambda: read_bytes(tmp / "missing.yaml"), str(tmp / "missing.yaml"), 0),
        "bad YAML": (YamlLoadError, lambda: load_document(tmp / "bad.yaml"), str(tmp / "bad.yaml"), 3),
        "a stream where one document is expected": (FindingError, lambda: load_one(tmp / "two.yaml"),
                                                     str(tmp / "two.yaml"), 3),
        "no workspace": (WorkspaceError, lambda: load_workspace(tmp / "empty.yaml"), str(tmp / "empty.yaml"), 1),
        "nothing to migrate": (MigrationInputError, lambda: Migration.open(run_dir / "run.yaml", cwd=run_dir),
                               str(run_dir / "run.yaml"), 1),
        "nothing to compare": (CompareInputError, lambda: compare(run_dir / "run.yaml", DEFAULT_TARGET, DEFAULT_TARGET),
                               str(run_dir / "run.yaml"), 1),
        "no interpreter": (DetectError, lambda: interpreter(str(tmp / "no-python")), "--python", 0),
        "no Secret to export": (ExportInputError,
                                lambda: plan_workspace_export(load_workspace(run_dir), write_secret=True),
                                str(run_dir / ".env"), 0),
    }


KINDS = [
    "unreadable file", "bad YAML", "a stream where one document is expected", "no workspace",
    "nothing to migrate", "nothing to compare", "no interpreter", "no Secret to export"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_input_error_carries_located_findings(tmp_path, kind):
    cls, call, file, line = cases(tmp_path)[kind]
    exc = _refusal(cls, call)
    assert isinstance(exc, FindingError)
    assert exc.findings and exc.finding is exc.findings[0]
    f = exc.finding
    assert f.file.endswith(Path(file).name) if file != "--python" else f.file == file
    assert (f.line, isinstance(f.column, int)) == (line, True), f
    assert f.message and f.fix, f
    text = exc.located_text()  # the one way the commands print it
    assert text.startswith(f"{f.file}:{f.line}:{f.column}: error: {f.code}: "), text
    assert f"fix: {f.fix}" in text


def test_a_summary_names_the_error_and_the_findings_stay_located(tmp_path):
    exc = FindingError([], "nothing was written")
    assert str(exc) == "nothing was written" and exc.located_text() == ""
    e = _refusal(YamlLoadError, lambda: load_document(_bad(tmp_path)))
    assert str(e) == e.located_text()


def _bad(tmp: Path) -> Path:
    p = tmp / "bad.yaml"
    p.write_text("a: [1\n")
    return p
