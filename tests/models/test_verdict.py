"""The quick verdict (lsc_tui/config/models/verdict.py) passes a config only when the models
report nothing, on every fixture and on thousands of edits of them; its stored schemas are the
models' own; and a one-shot command that it answers never loads pydantic, with the same output
as the models give."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lsc_tui.config import models
from lsc_tui.config.models import store_schemas, verdict
from lsc_tui.config.models.stored import STORED_PATH, stored
from tests.operator.test_robustness import _paths  # every key path of the data, the root first

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def _full(which, data, text=None):
    from lsc_tui.config.models import validate as V

    run = V.validate_lightspeed if which == "lightspeed-stack" else V.validate_run_yaml
    return run(data, text)


def _fixtures() -> list[tuple[Path, str, dict]]:
    out = []
    for path in sorted(FIXTURES.rglob("*.yaml")):
        try:
            text = path.read_text(encoding="utf-8")
            data = yaml.safe_load(text)
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(data, dict):
            out.append((path, text, data))
    return out


FILES = _fixtures()


def test_the_stored_schemas_are_the_models():
    # in a process of its own, as the file is written (see store_schemas.main)
    proc = subprocess.run([sys.executable, "-m", "lsc_tui.config.models.store_schemas", "--print"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, check=True)
    assert STORED_PATH.read_text(encoding="utf-8") == proc.stdout, (
        "lsc_tui/data/core_schemas.json is stale (the models changed). Regenerate it with:\n"
        "    python -m lsc_tui.config.models.store_schemas"
    )


def test_an_object_the_stored_form_cannot_name_stops_the_writer():
    import functools

    with pytest.raises(store_schemas.UnstorableSchema, match="no stored name"):
        store_schemas._stored({"type": "function-plain", "function": functools.partial(print)}, False)


def test_the_verdict_agrees_with_the_models_on_every_fixture():
    """Never passes what the models report; and passes what they pass (one file aside: a value the
    workspace loader checks itself, which the models leave to it)."""
    assert len(FILES) > 300
    unsound, missed = [], []
    for path, text, data in FILES:
        for which in verdict.ROOTS:
            passed = verdict.clean(which, data, text)
            found = _full(which, data, text)
            if passed and found:
                unsound.append((path.relative_to(FIXTURES), which, found[:2]))
            if not passed and not found:
                missed.append((str(path.relative_to(FIXTURES)), which))
    assert unsound == []
    assert missed == [("lcore_releases/inputs/baseline-unknown/lightspeed-stack.yaml", "lightspeed-stack")]


_VALUES = (0, -1, 70000, 0.5, "", "x", "/x/", True, None, [], {}, ["x"], {"x": 1},
           "${env.X:=oops}", "${env.X:=0}", "${env.X:=}", "${env.X}", "*", "byok_x", "match", "faiss",
           # what YAML also gives: a date, a huge or odd number, keys that are no strings
           datetime.date(2026, 1, 1), 10**40, float("nan"), {1: "x"}, {None: 1})


def _replaced(data, path, value):
    if not path:
        return value
    head, *rest = path
    copy_ = dict(data) if isinstance(data, dict) else list(data)
    copy_[head] = _replaced(data[head], tuple(rest), value)
    return copy_


def _deleted(data, path):
    *parent, last = path
    def walk(node, at):
        if not at:
            out = dict(node)
            del out[last]
            return out
        head, *rest = at
        copy_ = dict(node) if isinstance(node, dict) else list(node)
        copy_[head] = walk(node[head], rest)
        return copy_
    return walk(data, parent)


def _edits(data):
    """Every value replaced by each of _VALUES, every key deleted, an unknown key in every mapping."""
    for path in _paths(data):
        node = data
        for seg in path:
            node = node[seg]
        if path:
            for value in _VALUES:
                yield _replaced(data, path, value)
            if isinstance(path[-1], str):
                yield _deleted(data, path)
        if isinstance(node, dict):
            yield _replaced(data, path, {**node, "zz_unknown": 1})


def _clean_samples(which: str, limit: int) -> list[tuple[Path, dict]]:
    picked = [(p, d) for p, t, d in FILES if verdict.clean(which, d, t)]
    step = max(1, len(picked) // limit)
    return picked[::step][:limit]


@pytest.mark.parametrize("which", verdict.ROOTS)
def test_the_verdict_never_passes_an_edit_the_models_report(which):
    checked = reported = 0
    for path, data in _clean_samples(which, 12):
        for edited in _edits(data):
            if len(json.dumps(edited, default=str)) > 20000:
                break  # the large fixtures: their first edits are enough
            passed = verdict.clean(which, edited, None)
            found = _full(which, edited, None)
            checked += 1
            reported += bool(found)
            assert not (passed and found), (path.name, found[:2])
    assert checked > 2000 and reported > checked // 10  # the edits do break things


def test_a_section_default_is_the_models_own():
    """What a rule reads of an absent section (``Section.model_construct()``) is the same in the
    verdict as in the models."""
    from lsc_tui.config.models import lightspeed, run_yaml

    for which in verdict.ROOTS:
        resolver = verdict._Resolver()
        resolver.resolve(stored()[which])
        for name in resolver.fields:
            model = getattr(lightspeed, name, None) or getattr(run_yaml, name)
            built = resolver.construct(name)()
            assert _plain(vars(built)) == _plain(model.model_construct().__dict__), name


def _plain(node):
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if hasattr(node, "__dict__") and not isinstance(node, type):
        return (type(node).__name__, _plain({k: v for k, v in vars(node).items() if not k.startswith("__")}))
    return node


# -- the one-shot commands ------------------------------------------------------------------------

_PROBE = """
import atexit, sys
from lsc_tui.cli import main
atexit.register(int)  # a handler to run: main() returns instead of ending the process at once
sys.argv = ["lsc-tui", *sys.argv[1:]]
code = main()
sys.stdout.flush()
print("\\npydantic loaded:", "pydantic" in sys.modules, file=sys.stderr)
sys.exit(code)
"""


def _one_shot(args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSC_TUI")}
    return subprocess.run([sys.executable, "-c", _PROBE, *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=120)


def _workspace(tmp_path, name):
    src = FIXTURES / "verdict" / name
    dst = tmp_path / name
    dst.mkdir()
    for f in src.iterdir():
        (dst / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    return dst


@pytest.mark.parametrize("name, loads", [("clean", False), ("reported", True)])
def test_one_shot_commands_answer_a_clean_config_without_pydantic_and_report_as_the_models(tmp_path, name, loads, capsys):
    ws = _workspace(tmp_path, name)
    for args in (["validate", "lightspeed-stack.yaml"], ["validate", "--json", "lightspeed-stack.yaml"],
                 ["migrate", "--json", "lightspeed-stack.yaml"]):
        proc = _one_shot(args, ws)
        assert f"pydantic loaded: {loads}" in proc.stderr
        cwd = os.getcwd()
        os.chdir(ws)
        try:
            from lsc_tui.cli import main

            code = main(args)  # in-process: the models' own path, as the editor takes it
        finally:
            os.chdir(cwd)
        out = capsys.readouterr()
        assert (proc.returncode, proc.stdout) == (code, out.out)
        assert proc.stderr.split("\npydantic loaded:")[0] == out.err


def test_the_verdict_modules_import_no_pydantic():
    code = (
        "import sys\n"
        "import yaml\n"
        "from lsc_tui.config.models import verdict, files\n"
        "data = yaml.safe_load(open('tests/fixtures/verdict/clean/run.yaml'))\n"
        "assert verdict.clean('run-yaml', data) and not verdict.clean('run-yaml', {**data, 'x': 1})\n"
        "list(files.file_settings({'customization': {'system_prompt_path': 'p'}}))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_editor_does_not_take_the_verdict():
    assert models._QUICK is False  # only lsc_tui.cli's one-shot commands turn it on
