"""The keystroke path is incremental; its results must equal a full recomputation.

After a one-scalar edit the session derives the new document from the old one
(``edit.replaced_scalar_document``), redoes the secret scan and the env-ref lint for the
edited scalar only, and re-validates with the results of the unchanged containers reused.
Here random edits are applied to real workspaces, and after each one everything the session
shows (findings, secret findings with their offsets, the synthesized run.yaml, the diff, the
changes, every document's data, nodes and findings) is compared with what a fresh parse and
analysis of the same buffers give, with every cache set aside.
"""

from __future__ import annotations

import contextlib
import copy
import random
import shutil
import string
import sys
from pathlib import Path

import pytest

from lsc_tui.config import diff, preview, workspace
from lsc_tui.config.yaml import document
from lsc_tui.config.yaml.edit import replaced_scalar_document
from lsc_tui.config.synthesis import emit
from lsc_tui.config.models import issues
from lsc_tui.config.secrets import detector
from lsc_tui.config.session import EditSession, OperationError, SetValue
from tests.foundation.test_fast_edit import _flatten  # the node tree as comparable tuples


def _secrets_workspace():
    """tests/secrets/workspace.py (its samples too), loaded by path: ``secrets`` is also a stdlib name."""
    import importlib.util

    base = Path(__file__).resolve().parents[1] / "secrets"
    pkg = "_secrets_fixtures"
    if pkg + ".workspace" in sys.modules:
        return sys.modules[pkg + ".workspace"]
    spec = importlib.util.spec_from_file_location(pkg, base / "__init__.py", submodule_search_locations=[str(base)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[pkg] = module
    return importlib.import_module(pkg + ".workspace")

DEMO = Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "demo"


@contextlib.contextmanager
def caches_set_aside():
    """Run with every cache of the analysis empty, then put them back as they were."""
    parsed = dict(document._PARSED)
    scanned = dict(detector._SCANNED.items())
    validated = dict(workspace._VALIDATED.items())
    linted = dict(workspace._ENV_LINTED.items())
    memos = {t: dict(getattr(issues, t)) for t in ("_UNKNOWN_MEMO", "_ENV_MEMO", "_HAS_DEFAULTS_MEMO")}
    env_ok = set(issues._ENV_DEFAULT_OK)
    dumps = (emit._DUMP_MEMO, emit._ORIGIN_MEMO)
    dump_states = [(d.prev, d.cur, d.last_root) for d in dumps]
    for d in dumps:
        d.prev, d.cur, d.last_root = {}, {}, None
    document._PARSED.clear()
    detector._SCANNED.clear()
    workspace._VALIDATED.clear()
    workspace._ENV_LINTED.clear()
    for t in memos:
        getattr(issues, t).clear()
    issues._ENV_DEFAULT_OK.clear()
    preview._parsed.cache_clear()
    blocks, last_blocks = dict(diff._BLOCKS), diff._LAST
    diff._BLOCKS.clear()
    diff._LAST = None
    try:
        yield
    finally:
        diff._BLOCKS.clear()
        diff._BLOCKS.update(blocks)
        diff._LAST = last_blocks
        document._PARSED.clear()
        document._PARSED.update(parsed)
        detector._SCANNED.update(scanned)
        workspace._VALIDATED.update(validated)
        workspace._ENV_LINTED.update(linted)
        for t, saved in memos.items():
            table = getattr(issues, t)
            table.clear()
            table.update(saved)
        issues._ENV_DEFAULT_OK.clear()
        issues._ENV_DEFAULT_OK.update(env_ok)
        for d, state in zip(dumps, dump_states):
            d.prev, d.cur, d.last_root = state


def fresh_analysis(session: EditSession):
    """What a session that parses and analyses everything from scratch shows for the same buffers."""
    with caches_set_aside():
        fresh = copy.copy(session)
        fresh.buffers = dict(session.buffers)
        fresh.saved_text = dict(session.saved_text)
        fresh.displays = dict(session.displays)
        fresh.stamps = dict(session.stamps)
        fresh.workspace = fresh._load()
        fresh.analysis = fresh._analyse()
        synth = fresh.analysis.synthesis
        fresh.origins = synth.text_and_line_origins() if synth is not None else None
        return fresh




def _secret_view(s):
    return (s.to_json(), s.node_start, s.node_end, s.sub, s.rep, s.in_flow, s.doc_path, s.document_index,
            detector.reveal(s), s.scalar.reveal(), s.number.reveal() if s.number else None)


def assert_same(session: EditSession, fresh: EditSession):
    a, b = session.analysis, fresh.analysis
    # what the editor's view shows beside the run.yaml: the input each line comes from
    assert (a.synthesis.text_and_line_origins() if a.synthesis is not None else None) == fresh.origins
    assert [f.to_json() for f in a.findings] == [f.to_json() for f in b.findings]
    assert [_secret_view(s) for s in a.secret_findings] == [_secret_view(s) for s in b.secret_findings]
    assert a.run_yaml_text == b.run_yaml_text
    assert a.diff_text == b.diff_text
    assert a.changes == b.changes
    assert [f.to_json() for f in session.workspace.findings] == [f.to_json() for f in fresh.workspace.findings]
    for mine, theirs in zip(session.workspace.documents, fresh.workspace.documents, strict=True):
        assert mine.text == theirs.text
        assert mine.data == theirs.data
        assert _flatten(mine.root, []) == _flatten(theirs.root, [])
        key = lambda f: (f.line, f.column, f.code, f.message)  # noqa: E731
        assert sorted(mine.findings, key=key) == sorted(theirs.findings, key=key)


def _token(rng: random.Random) -> str:
    alnum = string.ascii_letters + string.digits
    body = "".join(rng.choice(alnum) for _ in range(40))
    return rng.choice([
        "sk-proj-" + body + body[:24],
        "ghp_" + body[:36],
        f"postgres://admin:{body[:16]}@db.svc:5432/app",
        f"http://h.svc:8000/v1?api_key={body[:20]}",
        f"Bearer {body}",
        body,
    ])


def _value(rng: random.Random, old):
    choice = rng.randrange(16)
    if choice == 0:
        return _token(rng)
    if choice == 1:
        return rng.choice(["${env.X_TOKEN:=" + _token(rng) + "}", "${env.PORT:=notanumber}", "${env.PORT:=8080}",
                           "${env.HOST:=localhost}", "${env.Y:+p0}", "${env.API_KEY}"])
    if choice == 2:
        return rng.choice(["${env.X:legacy-default}", "${env.X:-dash}", "$env.X", "${X}"])
    if choice == 3:
        return rng.choice(["yes", "no", "on", "0755", "1:30", "~", "null", "", "#c", "a: b", "- x", "[x]", "'q'"])
    if choice == 4:
        return rng.choice([rng.randint(-10**6, 10**6), True, False, None, 1.5])
    if choice == 5:
        return rng.choice(["remote::openai", "inline::faiss", "remote::vllm", "inline::llama-guard", "unknown::x"])
    if isinstance(old, str) and old and choice < 12:
        # typing: one character more or less, the common keystroke
        if choice < 9 or len(old) < 2:
            pos = rng.randrange(len(old) + 1)
            return old[:pos] + rng.choice(string.ascii_lowercase + "-_.:/") + old[pos:]
        pos = rng.randrange(len(old))
        return old[:pos] + old[pos + 1:]
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randrange(1, 30)))


def _scalar_paths(session: EditSession):
    out = []
    for doc in session.workspace.documents:
        for path, node in doc.iter_scalars():
            if path:
                out.append((doc.path, path, node.value))
    return out


def _memos_in_use() -> bool:
    """Whether the last validation and dump worked from remembered sub-trees (an edit's copy)."""
    validation = any(m.prev for m in issues._UNKNOWN_MEMO.values())
    return validation and bool(emit._DUMP_MEMO.prev) and bool(emit._ORIGIN_MEMO.prev)


def run_edits(session: EditSession, seed: int, edits: int) -> int:
    """Random edits; returns how many analyses worked on a derived document, after checking each
    against a full recomputation."""
    rng = random.Random(seed)
    derived = 0
    for _ in range(edits):
        if rng.random() < 0.08 and session.can_undo:
            session.undo()
        else:
            file, path, old = rng.choice(_scalar_paths(session))
            try:
                session.apply(SetValue(file, path, _value(rng, old)))
            except OperationError:
                continue
        derived += any(d.derived is not None for d in session.workspace.documents)
        assert_same(session, fresh_analysis(session))
    return derived


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.mark.parametrize("seed", range(4))
def test_demo_workspace_edits_equal_a_full_recomputation(tmp_path, state, seed):
    ws = tmp_path / "ws"
    shutil.copytree(DEMO, ws)
    session = EditSession.open(ws / "lightspeed-stack.yaml", cwd=ws)
    assert run_edits(session, seed, 40) > 0  # the incremental path was taken


@pytest.mark.parametrize("seed", range(4))
def test_secrets_workspace_edits_equal_a_full_recomputation(tmp_path, state, seed):
    fixtures = _secrets_workspace()
    cfg = fixtures.write_workspace(tmp_path / "ws", fixtures.make_secrets())
    session = EditSession.open(cfg, cwd=cfg.parent)
    assert run_edits(session, 100 + seed, 40) > 0


UNIFIED = """name: t
service:
  host: 0.0.0.0
  port: 8080
user_data_collection:
  feedback_enabled: false
authentication:
  module: noop
llama_stack:
  use_as_library_client: true
  config:
    profile: run.yaml
"""

RUN = """version: 2
distro_name: t
apis:
- inference
- vector_io
providers:
  inference:
  - provider_id: p0
    provider_type: remote::vllm
    config:
      url: http://vllm.svc:8000/v1   # the main model
      api_token: ${env.VLLM_TOKEN}
      max_tokens: 4096
      unknown_knob: 1
  - provider_id: ${env.OPENAI_ON:+openai}
    provider_type: remote::openai
    config:
      api_key: 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ01'
      base_url: "http://openai.svc/v1"
  vector_io:
  - provider_id: pg
    provider_type: remote::pgvector
    config:
      host: ${env.PGVECTOR_HOST:=localhost}
      port: ${env.PGVECTOR_PORT:=5432}
      db: vectors
      user: admin
      password: hunter2hunter2  # lsc-tui: allow-secret
      persistence:
        namespace: vector_io::pg
        backend: kv_default
storage:
  backends:
    kv_default:
      type: kv_sqlite
      db_path: ${env.SQLITE_STORE_DIR:~/.llama}/kv.db
registered_resources:
  models:
  - model_id: m0
    provider_id: p0
    model_type: llm
"""


@pytest.mark.parametrize("seed", range(6))
def test_profile_with_secrets_traps_and_unknown_keys_equal_a_full_recomputation(tmp_path, state, seed):
    (tmp_path / "lightspeed-stack.yaml").write_text(UNIFIED)
    (tmp_path / "run.yaml").write_text(RUN)
    session = EditSession.open(tmp_path / "lightspeed-stack.yaml", cwd=tmp_path)
    assert run_edits(session, 200 + seed, 50) > 0


@pytest.mark.parametrize("text, path", [
    # an alias shares the edited node: a parse changes both places
    ("a: &x\n  url: one\nb: *x\n", ("a", "url")),
    # a duplicate key: the data holds the last one, the node lookup finds the first
    ("a: 1\nb: two\nb: three\nc: 4\n", ("b",)),
    # the old value spans two lines: every later node moves up a line
    ("a: 'one\n  two'\nb: three\n", ("a",)),
    ("a: plain\n  continued\nb: three\n", ("a",)),
])
def test_derivation_is_refused_where_it_would_differ_from_a_parse(text, path):
    doc = document.parse_text(text, "f.yaml", Path("f.yaml"))
    assert replaced_scalar_document(doc, path, "new") is None


def test_derived_document_records_its_source_weakly():
    doc = document.parse_text(RUN, "f.yaml", Path("f.yaml"))
    path = ("providers", "inference", 0, "config", "url")
    new = replaced_scalar_document(doc, path, "http://other:1/v1")
    assert new.derived.source() is doc and new.derived.path == path
    # the nodes before the edit are shared, the ones after it moved
    assert new.root.items[0][1] is doc.root.items[0][1]
    assert new.node_at(("storage",)).start == doc.node_at(("storage",)).start + new.derived.delta
    del doc
    import gc

    gc.collect()
    assert new.derived.source() is None


def test_typing_in_the_profile_uses_every_incremental_path_and_equals_a_full_recomputation(tmp_path, state):
    """Typing into run.yaml values (the keystroke the benchmarks time), with every remembered
    result in play: derived documents, remembered validation, remembered dump."""
    (tmp_path / "lightspeed-stack.yaml").write_text(UNIFIED)
    (tmp_path / "run.yaml").write_text(RUN)
    session = EditSession.open(tmp_path / "lightspeed-stack.yaml", cwd=tmp_path)
    run = tmp_path / "run.yaml"
    rng = random.Random(11)
    in_use = 0
    for n in range(40):
        path = rng.choice([("providers", "inference", 0, "config", "url"), ("providers", "vector_io", 0, "config", "db"),
                           ("providers", "vector_io", 0, "config", "port"), ("providers", "inference", 1, "provider_type"),
                           ("registered_resources", "models", 0, "model_id"), ("distro_name",)])
        old = session.document(run).node_at(path).value
        session.apply(SetValue(run, path, _value(rng, old) if n % 3 else old + "x"))
        in_use += session.workspace.profile.derived is not None and _memos_in_use()
        assert_same(session, fresh_analysis(session))
    assert in_use > 20
