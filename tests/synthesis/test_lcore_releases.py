"""With a target release, lsc-tui answers as that LCORE release's own code does.

tests/fixtures/lcore_releases/ holds the inputs (every corpus config and generated variations
of every section) and, per release, what that release's code did with each (its verdict: the
mode or the rejection, and the run.yaml it writes), produced by tools/lcore_release_fixtures.py.
For each release and each input: the same accept/reject verdict (with the key history in the
message where a key came later or went earlier), the same mode, and the same run.yaml bytes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lsc_tui.config import preview
from lsc_tui.config.models.issues import walk_unknown_keys
from lsc_tui.config.models.lightspeed import LightspeedStackConfig
from lsc_tui.config.releases import RELEASE_MAIN, RELEASES, Target, parse_release, rules_for
from lsc_tui.config.releases.keys import key_of
from lsc_tui.config.synthesis.unified import synthesize_unified
from lsc_tui.config.workspace import load_workspace

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "lcore_releases"
CASES = json.loads((FIX / "cases.json").read_text(encoding="utf-8"))
COMPARED = ("0.5", "0.6", "0.7.0rc1", "main")
PARAMS = [(rel, case) for rel in COMPARED for case in CASES]
EXTRA = re.compile(r"([A-Za-z0-9_.]+): Extra inputs are not permitted")


def _load(case: dict, release: str, env: dict, source: str = "the fixture's environment"):
    d = FIX / "inputs" / case["id"]
    return load_workspace(d / "lightspeed-stack.yaml", cwd=d, env=env, server_env=env, server_env_source=source,
                          target=Target(parse_release(release), "--lcore"))


@pytest.mark.parametrize("release, case", PARAMS, ids=[f"{r}-{c['id']}" for r, c in PARAMS])
def test_target_release_agrees_with_its_lcore(release, case):
    expected = json.loads((FIX / release / f"{case['id']}.json").read_text(encoding="utf-8"))
    env = expected["env"]
    ws = _load(case, release, env)
    errors = [f for f in ws.findings if f.is_error]
    if "rejected" in expected:
        assert errors, f"LCORE {release} rejects it ({expected['rejected']}); lsc-tui accepts it"
        error_keys = {key_of(f.path) for f in errors}
        for loc in EXTRA.findall(expected["rejected"]):
            parts = [p for p in loc.split(".") if not p.isdigit()]
            # pydantic names the member of a tagged union in the location (shields.question_validity.x)
            forms = {".".join(parts)} | {".".join(parts[:i] + parts[i + 1:]) for i in range(1, len(parts) - 1)}
            assert forms & error_keys, f"LCORE {release} rejects `{loc}`; lsc-tui reports {sorted(error_keys)}"
        return
    assert not errors, [f.message for f in errors]
    assert ws.mode == expected["mode"]
    out = FIX / release / f"{case['id']}.run.yaml"
    if not out.exists():
        return
    container = expected.get("container_env", env)
    if container != env:
        ws = _load(case, release, container, "the Llama Stack container's environment")
    run_yaml = FIX / "inputs" / case["id"] / case["run_yaml"] if case.get("run_yaml") else None
    result, findings = preview.synthesize(ws, run_yaml)
    assert result is not None, [f.message for f in findings if f.is_error]
    assert result.text == out.read_text(encoding="utf-8")
    fallback = [f for f in findings if f.code == "legacy-entrypoint-fallback"]
    if "fallback" in expected:
        assert fallback and fallback[0].is_error, "the entrypoint falls back to the unenriched run.yaml: say so"
    else:
        assert not fallback


def test_the_fixture_set_covers_every_release_and_both_verdicts():
    for release in COMPARED:
        verdicts = [json.loads((FIX / release / f"{c['id']}.json").read_text(encoding="utf-8")) for c in CASES]
        assert any("rejected" in v for v in verdicts) and any("mode" in v for v in verdicts)
        assert any((FIX / release / f"{c['id']}.run.yaml").exists() for c in CASES)
    # the releases really differ on the same input (so the test above cannot pass by ignoring the target)
    same = FIX / "0.6" / "baseline-default.run.yaml", FIX / "main" / "baseline-default.run.yaml"
    assert same[0].read_text(encoding="utf-8") != same[1].read_text(encoding="utf-8")


def _errors(case_id: str, release: str) -> list:
    case = next(c for c in CASES if c["id"] == case_id)
    env = json.loads((FIX / release / f"{case_id}.json").read_text(encoding="utf-8"))["env"]
    return [f for f in _load(case, release, env).findings if f.is_error]


def test_a_key_that_came_later_names_the_release_that_added_it_and_the_old_spelling():
    [store] = [f for f in _errors("rag-new-pgvector", "0.7.0rc1") if f.path == ("rag", "byok")]
    assert store.message == "`rag.byok` is not known to LCORE 0.7.0rc1: it came in LCORE main (cd1a048)"
    assert "use `byok_rag` instead" in store.fix
    [ids] = [f for f in _errors("inference-providers-id", "0.6") if f.code == "release-unknown-key"]
    assert ids.path == ("inference", "providers", 0, "id")
    assert "it came in LCORE 0.7.0rc1" in ids.message


def test_a_key_that_went_names_what_replaced_it():
    [old] = [f for f in _errors("rag-old-pgvector", "main") if f.path == ("byok_rag",)]
    assert old.code == "release-removed-key"
    assert "removed in LCORE main (cd1a048)" in old.message and "`rag.byok.stores`" in old.message
    [verbose] = [f for f in _errors("key-allow-verbose-infer", "0.7.0rc1")
                 if f.path == ("customization", "allow_verbose_infer")]
    assert "it is now `rlsapi_v1.allow_verbose_infer`" in verbose.message


def test_newer_than_main_is_named_as_such():
    [byo] = [f for f in _errors("baseline-byo-llm", "main") if f.code == "baseline-unknown"]
    assert "it came in newer than LCORE main" in byo.message
    case = next(c for c in CASES if c["id"] == "baseline-byo-llm")
    env = json.loads((FIX / "main" / "baseline-byo-llm.json").read_text(encoding="utf-8"))["env"]
    assert not [f for f in _load(case, "newer", env).findings if f.is_error]


def test_0_5_server_entrypoint_fallback_is_said_when_the_environment_is_unknown():
    case = next(c for c in CASES if c["id"] == "legacy-server-env-unset")
    d = FIX / "inputs" / case["id"]
    ws = load_workspace(d / "lightspeed-stack.yaml", cwd=d, env={"NOT_SET": "x"},
                        target=Target(parse_release("0.5"), "--lcore"))
    result, findings = preview.synthesize(ws, d / "run.yaml")
    [warning] = [f for f in findings if f.code == "legacy-entrypoint-fallback"]
    assert warning.severity.value == "warning" and "NOT_SET" in warning.message
    assert "unenriched run.yaml" in warning.message
    # the preview still shows the enrichment the container does when the variable is set
    assert any(p["provider_id"] == "byok_docs" for p in result.data["providers"]["vector_io"])


@pytest.mark.parametrize("release", ["0.6", "0.7.0rc1"])
def test_the_default_baseline_before_main_needs_openai_api_key(release):
    config = {"llama_stack": {"use_as_library_client": True, "config": {"baseline": "default"}}}
    rel = parse_release(release)
    unset = synthesize_unified(config, None, config_file="c.yaml", env={}, env_source="server.env", release=rel)
    [needs] = [f for f in unset.findings if f.code == "synthesis-baseline-needs-env"]
    assert needs.is_error and "OPENAI_API_KEY is not set in server.env" in needs.message
    assert needs.path == ("llama_stack", "config", "baseline")
    given = synthesize_unified(config, None, config_file="c.yaml", env={"OPENAI_API_KEY": "k"},
                               env_source="server.env", release=rel)
    assert not [f for f in given.findings if f.code == "synthesis-baseline-needs-env"]
    # main's baseline makes the row conditional on the variable: nothing to say
    main = synthesize_unified(config, None, config_file="c.yaml", env={}, env_source="server.env")
    assert not [f for f in main.findings if f.code == "synthesis-baseline-needs-env"]


# Config keys whose value is a list of mappings (a dotted key goes through their items).
LIST_KEYS = {"mcp_servers", "byok_rag", "rag.byok.stores", "inference.providers", "vector_store.providers", "shields",
             "authentication.trusted_proxy_config.allowed_service_accounts"}


def _config_with(key: str) -> dict:
    """A config holding ``key`` (dotted) with a mapping value, through list items where the key is a list."""
    parts = key.split(".")
    leaf: dict = {}
    node: object = leaf
    for depth in range(len(parts), 0, -1):
        wrapped = {parts[depth - 1]: node}
        node = [wrapped] if ".".join(parts[:depth - 1]) in LIST_KEYS else wrapped
    assert isinstance(node, dict)
    return node


def _unknown(key: str) -> bool:
    found = {".".join(str(p) for p in path if not isinstance(p, int)) for path, _m in
             walk_unknown_keys(LightspeedStackConfig, _config_with(key))}
    return key in found


def test_the_key_history_agrees_with_lsc_tui_s_model_of_main():
    """Every key a release up to main added (and main did not remove) is one lsc-tui's model of
    main knows; every key a release up to main removed is one it does not."""
    removed_by_main = {k for r in RELEASES if r.order <= RELEASE_MAIN.order for k in rules_for(r).removed}
    checked = 0
    for release in RELEASES:
        if release.order > RELEASE_MAIN.order:
            continue
        for key in rules_for(release).added:
            if not any(key == gone or key.startswith(gone + ".") for gone in removed_by_main):
                assert not _unknown(key), f"{key} (added in {release.label}) is unknown to the model of main"
                checked += 1
    for key in removed_by_main:
        assert _unknown(key), f"{key} was removed by main, but the model of main knows it"
    assert checked >= 20


def test_provenance_points_into_the_release_s_own_baseline():
    from lsc_tui.config.synthesis.baseline import builtin_position

    config = {"llama_stack": {"use_as_library_client": True, "config": {}}}
    result = synthesize_unified(config, None, config_file="c.yaml", release=parse_release("0.6"))
    origin = result.origin_of(("providers", "safety", 0, "provider_id"))
    assert origin.file == "builtin:releases/0.6/default_run.yaml"
    line, _col = builtin_position(("providers", "safety"), origin.file)
    text = (Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "releases" / "0.6" / "default_run.yaml")
    assert text.read_text(encoding="utf-8").splitlines()[line - 1].strip() == "safety:"
    # main's own baseline keeps its name
    main = synthesize_unified(config, None, config_file="c.yaml")
    assert main.origin_of(("providers", "files", 0, "provider_id")).file == "builtin:default"
