"""`fix`: only the replaced spans change, the data reads back, the values move out and resolve."""

from __future__ import annotations

import difflib
import os
import stat
import subprocess

import pytest
import yaml

from lsc_tui.config import envref
from lsc_tui.config.secrets import FixError, apply_plan, plan_fix, reveal, scan_workspace
from lsc_tui.config.secrets import envfile
from lsc_tui.config.workspace import load_workspace

from .workspace import make_secrets, write_workspace


@pytest.fixture
def ws_files(tmp_path):
    secrets = make_secrets()
    config = write_workspace(tmp_path / "ws", secrets)
    return config, secrets


def _load(config):
    return load_workspace(config, cwd=config.parent)


def _changed_regions(old: str, new: str):
    sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [(i1, i2) for tag, i1, i2, _j1, _j2 in sm.get_opcodes() if tag != "equal"]


def test_scan_finds_every_form(ws_files):
    config, secrets = ws_files
    result = scan_workspace(_load(config))
    got = {reveal(f) for f in result.findings}
    expected = set(secrets.values())
    assert expected <= got, sorted(k for k, v in secrets.items() if v not in got)
    assert len(result.findings) == len(expected)  # the alias is the same finding, not two
    by_value = {reveal(f): f for f in result.findings}
    assert by_value[secrets["plain"]].aliases == (("database", "postgres", "password"),)
    assert by_value[secrets["openai"]].gated
    assert by_value[secrets["default"]].kind == "default"
    assert by_value[secrets["default"]].suggested_env == "VLLM_API_TOKEN"
    assert by_value[secrets["openai"]].suggested_env == "OPENAI_API_KEY"
    assert by_value[secrets["numeric"]].suggested_env == "PGVECTOR_PASSWORD"
    assert by_value[secrets["plain"]].suggested_env == "POSTGRES_PASSWORD"
    assert by_value[secrets["urlpw"]].suggested_env == "SQL_DEFAULT_URL_PASSWORD"  # POSTGRES_PASSWORD is taken
    names = [f.suggested_env for f in result.findings]
    assert len(set(names)) == len(names)  # different values never share a name


def test_fix_write_changes_only_the_spans_and_resolves_to_the_originals(ws_files):
    config, secrets = ws_files
    ws = _load(config)
    before = {d.path: d.text for d in ws.documents}
    old_data = {d.path: d.data for d in ws.documents}
    result = scan_workspace(ws)
    plan = plan_fix(ws, result=result)
    assert plan.ok, plan.errors
    spans = {}
    for it in plan.items:
        spans.setdefault(it.finding.doc_path, []).append((it.finding.node_start, it.finding.node_end))
    applied = apply_plan(plan)
    env_path = config.parent / ".env"
    assert env_path in applied.written
    assert stat.S_IMODE(env_path.stat().st_mode) == 0o600
    for b in applied.backups:
        assert stat.S_IMODE(b.stat().st_mode) == 0o600
    env = envfile.read(env_path)
    # the multi-line value went to its own 0600 file, loaded as the note says
    pem_items = [it for it in plan.items if it.finding.multiline]
    assert len(pem_items) == 1
    pem_file = config.parent / pem_items[0].destination
    assert stat.S_IMODE(pem_file.stat().st_mode) == 0o600
    env[pem_items[0].env_name] = pem_file.read_text()
    env.setdefault("CLIENT_SECRET", "x")
    for path, old in before.items():
        new = path.read_text()
        for a, b in _changed_regions(old, new):
            assert any(s <= a and b <= e for s, e in spans[path]), (path, old[a:b])
        new_data = yaml.safe_load(new)
        assert envref.resolve(new_data, env) == envref.resolve(old_data[path], env)
        for value in secrets.values():
            assert value not in new
    # a second scan is clean
    assert scan_workspace(_load(config)).findings == []


def test_reference_forms(ws_files):
    config, secrets = ws_files
    plan = plan_fix(_load(config))
    apply_plan(plan)
    run = (config.parent / "run.yaml").read_text()
    cfg = config.read_text()
    assert "      api_key: ${env.OPENAI_API_KEY:=}\n" in run  # gated provider
    assert "      api_token: ${env.VLLM_API_TOKEN}\n" in run  # the default dropped
    assert "postgresql://llama:${env.SQL_DEFAULT_URL_PASSWORD}@db:5432/llama" in run  # only the password
    assert "Authorization: Bearer ${env." in run
    assert "    client_key: ${env." in run and "\n    signing_secret:" in run
    assert "  api_key: '${env.LLAMA_STACK_API_KEY}'   # pasted by hand\n" in cfg
    assert "password: &pgpw ${env." in cfg and "password: *pgpw\n" in cfg
    assert "{name: card, auth: {token: '${env." in cfg  # quoted inside a flow mapping


def test_dry_run_writes_nothing_and_masks_the_diff(ws_files):
    config, secrets = ws_files
    listing = sorted(os.listdir(config.parent))
    texts = {p: p.read_text() for p in config.parent.iterdir()}
    plan = plan_fix(_load(config))
    assert plan.diff.count("\n+") >= 8
    for value in secrets.values():
        for line in value.splitlines():
            assert line not in plan.diff
            assert line not in plan.to_text()
    assert sorted(os.listdir(config.parent)) == listing
    assert {p: p.read_text() for p in config.parent.iterdir()} == texts
    assert "********" in plan.diff


def test_existing_env_is_kept_and_a_clash_is_an_error(ws_files):
    config, secrets = ws_files
    env_path = config.parent / ".env"
    original = "# team settings\nLOG_LEVEL=debug\n\nexport OTHER='a b'\n"
    env_path.write_text(original)
    os.chmod(env_path, 0o644)
    ws = _load(config)
    result = scan_workspace(ws)
    apply_plan(plan_fix(ws, result=result))
    text = env_path.read_text()
    assert text.startswith(original)
    assert stat.S_IMODE(env_path.stat().st_mode) == 0o600
    assert envfile.read(env_path)["OTHER"] == "a b"
    # a name that the .env already holds with another value is refused
    write_workspace(config.parent, make_secrets())
    ws = _load(config)
    f = scan_workspace(ws).findings[0]
    plan = plan_fix(ws, [f], names={f.fingerprint: "LOG_LEVEL"})
    assert not plan.ok and "LOG_LEVEL" in plan.errors[0]
    with pytest.raises(FixError):
        apply_plan(plan)


def test_same_value_same_name_and_invalid_names(ws_files):
    config, _secrets = ws_files
    ws = _load(config)
    result = scan_workspace(ws)
    f = result.findings[0]
    bad = plan_fix(ws, [f], names={f.fingerprint: "lower_case"}, result=result)
    assert not bad.ok
    bad = plan_fix(ws, [f], names={f.fingerprint: "9LIVES"}, result=result)
    assert not bad.ok
    good = plan_fix(ws, [f], names={f.fingerprint: "MY_NAME"}, result=result)
    assert good.ok and good.items[0].reference == "${env.MY_NAME}"
    plain = [x for x in result.findings if x.aliases]
    assert len(plain) == 1 and len(plan_fix(ws, plain, result=result).items) == 1


def test_k8s_secret_target(ws_files):
    config, secrets = ws_files
    ws = _load(config)
    name = "lsc-secrets"
    plan = plan_fix(ws, k8s_secret=name)
    assert plan.ok, plan.errors
    assert any("secretRef" in n and "lsc-secrets" in n for n in plan.notes)
    apply_plan(plan)
    manifest = config.parent / "lsc-secrets-secret.yaml"
    assert stat.S_IMODE(manifest.stat().st_mode) == 0o600
    doc = yaml.safe_load(manifest.read_text())
    assert doc["kind"] == "Secret" and doc["metadata"]["name"] == "lsc-secrets"
    assert set(doc["stringData"].values()) == set(secrets.values())
    assert not (config.parent / ".env").exists()
    bad_name = "Not_Valid"
    assert not plan_fix(ws, k8s_secret=bad_name).ok


def test_an_existing_secret_manifest_that_does_not_parse_is_named_with_its_line_and_column(ws_files):
    config, _secrets = ws_files
    name = "lsc-secrets"
    manifest = config.parent / f"{name}-secret.yaml"
    broken = "apiVersion: v1\nkind: Secret\nstringData: [unclosed\n"
    manifest.write_text(broken)
    plan = plan_fix(_load(config), k8s_secret=name)
    (error,) = [e for e in plan.errors if "Secret manifest" in e]  # said once
    where, _sep, message = error.partition(": the existing Secret manifest cannot be read (")
    path, line, column = where.rsplit(":", 2)
    assert path == str(manifest) and int(line) >= 3 and int(column) >= 1, error
    assert message.endswith("); fix or move it first"), error
    with pytest.raises(FixError):
        apply_plan(plan)
    assert manifest.read_text() == broken


def test_selection_and_allow_comment(ws_files):
    config, secrets = ws_files
    text = config.read_text().replace("   # pasted by hand", "   # lsc-tui: allow-secret")
    config.write_text(text)
    ws = _load(config)
    result = scan_workspace(ws)
    assert [f.key_path for f in result.allowed] == ["llama_stack.api_key"]
    one = result.findings[0]
    plan = plan_fix(ws, select=[one.fingerprint], result=result)
    assert [it.finding for it in plan.items] == [one]
    assert not plan_fix(ws, select=["0000000000000000"], result=result).ok


def test_allowlist_in_project_config(ws_files):
    config, _secrets = ws_files
    result = scan_workspace(_load(config))
    fp = result.findings[0].fingerprint
    (config.parent / ".lsc-tui.yaml").write_text(f"secrets:\n  allow:\n    - {fp}\n    - fingerprint: nothex\n")
    again = scan_workspace(_load(config))
    assert fp in {f.fingerprint for f in again.allowed}
    assert fp not in {f.fingerprint for f in again.findings}


def test_file_changed_on_disk_is_not_clobbered(ws_files):
    from lsc_tui.config.yaml.save import FileChangedError

    config, _secrets = ws_files
    plan = plan_fix(_load(config))
    config.write_text(config.read_text() + "# edited meanwhile\n")
    with pytest.raises(FileChangedError):
        apply_plan(plan)
    assert config.read_text().endswith("# edited meanwhile\n")


def test_git_warnings(tmp_path):
    if subprocess.run(["git", "--version"], capture_output=True).returncode != 0:
        pytest.skip("git not available")
    repo = tmp_path / "repo"
    config = write_workspace(repo, make_secrets())
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    env = str(repo / ".env")
    plan = plan_fix(_load(config))
    assert any(w.startswith(env + " is not ignored by git") for w in plan.warnings)
    assert any(".pem is not ignored by git" in w for w in plan.warnings)
    (repo / ".gitignore").write_text(".env\n*.pem\n")
    plan = plan_fix(_load(config))
    assert not any("ignored by git" in w for w in plan.warnings)
    (repo / ".env").write_text("A=1\n")
    subprocess.run(["git", "-C", str(repo), "add", "-f", ".env"], check=True)
    plan = plan_fix(_load(config))
    assert any(w.startswith(env + " is tracked by git") for w in plan.warnings)


def test_unified_workspace_covers_profile_and_native_override(tmp_path):
    from .samples import URLSAFE, j, rnd

    root = tmp_path / "uni"
    root.mkdir()
    override_key, profile_key = j("nv", "api-", rnd(64, URLSAFE)), rnd(20)
    (root / "lightspeed-stack.yaml").write_text(
        "name: uni\nservice:\n  host: localhost\nllama_stack:\n  use_as_library_client: true\n  config:\n"
        "    profile: profiles/run.yaml\n    native_override:\n      providers:\n        inference:\n"
        "        - provider_id: nvidia\n          provider_type: remote::nvidia\n          config:\n"
        f"            api_key: {override_key}\nuser_data_collection:\n  feedback_enabled: false\n")
    (root / "profiles").mkdir()
    (root / "profiles" / "run.yaml").write_text(
        "version: 2\nproviders:\n  inference:\n  - provider_id: groq\n    provider_type: remote::groq\n"
        f"    config:\n      api_key: \"{profile_key}\"\n")
    ws = load_workspace(root / "lightspeed-stack.yaml", cwd=root)
    assert ws.profile is not None
    result = scan_workspace(ws)
    assert {(f.key_path, f.suggested_env) for f in result.findings} == {
        ("llama_stack.config.native_override.providers.inference[0].config.api_key", "NVIDIA_API_KEY"),
        ("providers.inference[0].config.api_key", "GROQ_API_KEY")}
    applied = apply_plan(plan_fix(ws, result=result))
    assert {p.name for p in applied.written} == {".env", "lightspeed-stack.yaml", "run.yaml"}
    assert envfile.read(root / ".env") == {"NVIDIA_API_KEY": override_key, "GROQ_API_KEY": profile_key}
    assert 'api_key: "${env.GROQ_API_KEY}"\n' in (root / "profiles" / "run.yaml").read_text()


def test_a_suggested_name_that_the_env_file_holds_with_another_value_is_an_error(tmp_path, capsys):
    from lsc_tui.cli import main

    from .samples import rnd

    root = tmp_path / "pg"
    root.mkdir()
    config = root / "lightspeed-stack.yaml"
    config.write_text("name: x\nservice:\n  host: localhost\nllama_stack:\n  url: http://localhost:8321\n"
                      "user_data_collection:\n  feedback_enabled: false\nconversation_cache:\n  type: postgres\n"
                      f"  postgres:\n    host: db\n    password: {rnd(12)}\n")
    (root / ".env").write_text(f"POSTGRES_PASSWORD={rnd(12)}\n")
    before = config.read_text()
    assert main(["secrets", "fix", str(config), "--write"]) == 2
    out, err = capsys.readouterr()
    assert "POSTGRES_PASSWORD is already set to a different value" in err  # an error: on stderr
    assert config.read_text() == before
    fp = scan_workspace(_load(config)).findings[0].fingerprint
    assert main(["secrets", "fix", str(config), "--write", "--name", f"{fp}=CACHE_PG_PASSWORD"]) == 0
    capsys.readouterr()
    assert "${env.CACHE_PG_PASSWORD}" in config.read_text()
    assert set(envfile.read(root / ".env")) == {"POSTGRES_PASSWORD", "CACHE_PG_PASSWORD"}
