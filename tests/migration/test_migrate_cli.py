"""`lsc-tui migrate`: exit codes, dry runs, writes, backups, refusals, JSON, no-ops."""

from __future__ import annotations

import json
import os
import stat

import pytest
import yaml
from mig_helpers import CORPUS, PAIRS

from lsc_tui.config.workspace import load_workspace


def _snapshot(root):
    return {p.relative_to(root): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("strategy", ["lift", "profile", "smart", None])
def test_dry_run_writes_nothing(tmp_path, run_cli, strategy):
    pair = PAIRS["azure-entraid-lib"].copy_to(tmp_path)
    before = _snapshot(tmp_path)
    args = ["migrate", pair.config, "--cwd", tmp_path] + (["--strategy", strategy] if strategy else [])
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert "dry run: nothing written" in out
    assert _snapshot(tmp_path) == before


def test_write_in_place_backs_up_keeps_run_yaml_and_is_0600(tmp_path, run_cli):
    pair = PAIRS["conversation-cache-pg"].copy_to(tmp_path)
    cfg, run = tmp_path / pair.config, tmp_path / pair.run_yaml
    original, run_bytes = cfg.read_bytes(), run.read_bytes()
    code, out, err = run_cli("migrate", cfg, "--strategy", "lift", "--write", "--cwd", tmp_path)
    assert code == 0, err
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    backup = cfg.with_name(cfg.name + ".pre-migrate.bak")
    assert backup.read_bytes() == original
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # the old config may hold literal secrets
    assert run.read_bytes() == run_bytes  # the legacy run.yaml is never touched
    assert "re-read from disk and proven again: equivalent" in out
    ws = load_workspace(cfg, cwd=tmp_path)
    assert ws.mode == "unified"
    assert not [f for f in ws.findings if f.code in ("unified-and-legacy", "no-run-source")]


def test_migrating_twice_is_a_no_op_that_says_so(tmp_path, run_cli):
    pair = PAIRS["no-mcp"].copy_to(tmp_path)
    cfg = tmp_path / pair.config
    assert run_cli("migrate", cfg, "--strategy", "smart", "--write", "--cwd", tmp_path)[0] == 0
    first = cfg.read_bytes()
    files = _snapshot(tmp_path)
    code, out, _ = run_cli("migrate", cfg, "--strategy", "smart", "--write", "--cwd", tmp_path)
    assert code == 0
    assert "nothing to migrate: already unified" in out
    assert cfg.read_bytes() == first
    assert _snapshot(tmp_path) == files  # no second backup either


def test_same_input_gives_the_same_file(tmp_path, run_cli):
    pair = PAIRS["azure-entraid-lib"]
    outs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}" / "lightspeed-stack.yaml"
        assert run_cli("migrate", pair.cwd / pair.config, "--strategy", "lift", "-o", out,
                       "--cwd", pair.cwd)[0] == 0
        outs.append(out.read_text())
    assert outs[0] == outs[1]


def test_already_unified_is_a_no_op(tmp_path, run_cli):
    cfg = CORPUS / "examples" / "lightspeed-stack-lls-library.yaml"
    code, out, _ = run_cli("migrate", cfg, "--cwd", CORPUS)
    assert code == 0
    assert "nothing to migrate: already unified" in out
    code, out, _ = run_cli("migrate", cfg, "--json", "--cwd", CORPUS)
    data = json.loads(out)
    assert code == 0 and data["analysis"]["status"] == "unified"
    assert data["nothing_to_migrate"].startswith("already unified")


def test_remote_server_without_run_yaml_is_a_no_op_with_the_reason(run_cli):
    code, out, _ = run_cli("migrate", CORPUS / "lightspeed-stack.yaml", "--cwd", CORPUS)
    assert code == 0
    assert "nothing to migrate: remote server mode" in out
    assert "--run-yaml" in out


def test_server_pair_migrates_with_run_yaml(tmp_path, run_cli):
    pair = PAIRS["root-server"].copy_to(tmp_path)
    code, out, err = run_cli("migrate", pair.config, "--run-yaml", pair.run_yaml, "--write", "--cwd", tmp_path)
    assert code == 0, err
    data = yaml.safe_load((tmp_path / pair.config).read_text())
    ls = data["llama_stack"]
    assert ls["url"] == "http://localhost:8321" and ls["use_as_library_client"] is False
    assert ls["config"]["baseline"] == "empty"  # recommended: lift, one self-contained file


@pytest.mark.parametrize("where", ["legacy run.yaml", "device"])
def test_an_output_migrate_never_writes_is_bad_input(tmp_path, run_cli, where):
    """-o naming the legacy run.yaml or a device was reported as a difference not accepted
    ("not accepted: /dev/null", exit 1, the exit of a result that is not equivalent)."""
    pair = PAIRS["azure-entraid-lib"].copy_to(tmp_path)
    out = str(tmp_path / pair.run_yaml) if where == "legacy run.yaml" else os.devnull
    before = _snapshot(tmp_path)
    code, stdout, err = run_cli("migrate", pair.config, "--cwd", tmp_path, "-o", out)
    assert code == 2, err
    assert "not accepted" not in err and "refused" not in err
    assert ("never touched" if where == "legacy run.yaml" else "device or FIFO") in err
    assert _snapshot(tmp_path) == before
    code, stdout, _ = run_cli("migrate", pair.config, "--cwd", tmp_path, "-o", out, "--json")
    data = json.loads(stdout)
    assert code == 2 and data["error"] and data.get("refused") is None and data["written"] is None


def test_not_equivalent_is_refused_unless_every_difference_is_accepted(tmp_path, run_cli):
    pair = PAIRS["rag-library"].copy_to(tmp_path)
    cfg = tmp_path / pair.config
    before = _snapshot(tmp_path)
    code, out, err = run_cli("migrate", cfg, "--strategy", "lift", "--write", "--cwd", tmp_path)
    assert code == 1
    assert "refused" in err and "providers.vector_io[provider_id=byok_docs]" in err
    assert "LCORE-3370" in out
    assert _snapshot(tmp_path) == before
    # accepting only one of the three differences is not enough
    code, _, err = run_cli("migrate", cfg, "--strategy", "lift", "--write", "--cwd", tmp_path,
                           "--accept-differences", "registered_resources.models")
    assert code == 1 and "not accepted: registered_resources.vector_stores" in err
    assert _snapshot(tmp_path) == before
    paths = "providers.vector_io[provider_id=byok_docs],registered_resources.models,registered_resources.vector_stores"
    code, out, err = run_cli("migrate", cfg, "--strategy", "lift", "--write", "--cwd", tmp_path,
                             "--accept-differences", paths)
    assert code == 1  # still reported as not equivalent ...
    assert (cfg.with_name(cfg.name + ".pre-migrate.bak")).exists()  # ... but written, with a backup
    assert yaml.safe_load(cfg.read_text())["llama_stack"]["config"]["baseline"] == "empty"


def test_output_elsewhere_leaves_the_legacy_files_and_rebases_the_profile(tmp_path, run_cli):
    pair = PAIRS["azure-entraid-lib"].copy_to(tmp_path / "repo")
    root = tmp_path / "repo"
    before = _snapshot(root)
    out = tmp_path / "deploy" / "conf" / "lightspeed-stack.yaml"
    code, _, err = run_cli("migrate", pair.config, "--strategy", "profile", "-o", out, "--cwd", root)
    assert code == 0, err
    assert _snapshot(root) == before
    data = yaml.safe_load(out.read_text())
    assert data["llama_stack"]["config"] == {"profile": "../../repo/examples/azure-run.yaml"}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # the profile resolves against the new file's directory, from any working directory
    ws = load_workspace(out, cwd=tmp_path)
    assert ws.mode == "unified" and ws.profile is not None
    assert ws.profile.path.resolve() == (root / "examples" / "azure-run.yaml").resolve()


def test_profile_path_is_rebased_from_start_dir_to_config_dir(tmp_path, run_cli):
    """library_client_config_path 'examples/azure-run.yaml' is relative to the start directory;
    written next to the config (in examples/), the profile must say 'azure-run.yaml'."""
    pair = PAIRS["azure-entraid-lib"].copy_to(tmp_path)
    code, _, err = run_cli("migrate", pair.config, "--strategy", "profile", "--write", "--cwd", tmp_path)
    assert code == 0, err
    cfg = tmp_path / pair.config
    assert yaml.safe_load(cfg.read_text())["llama_stack"]["config"] == {"profile": "azure-run.yaml"}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert load_workspace(cfg, cwd=elsewhere).profile is not None


def test_json_gives_plan_proof_and_files(run_cli):
    pair = PAIRS["rag-library"]
    code, out, _ = run_cli("migrate", pair.config, "--strategy", "lift", "--json", "--cwd", pair.cwd)
    assert code == 1
    data = json.loads(out)
    assert data["plan"]["strategy"] == "lift"
    assert data["proof"]["verdict"] == "not equivalent"
    assert {d["path"] for d in data["proof"]["differences"]} == {
        "providers.vector_io[provider_id=byok_docs]", "registered_resources.models",
        "registered_resources.vector_stores"}
    assert all(d["reason"] for d in data["proof"]["differences"])
    roles = {(f["role"], f["action"]) for f in data["files"]}
    assert ("config", "write") in roles and ("legacy-run-yaml", "keep") in roles
    assert ("backup", "backup") in roles
    assert data["recommendation"]["strategy"] == "profile"
    assert data["written"] is None


def test_recommendation_without_strategy(run_cli):
    pair = PAIRS["rag-library"]
    code, out, _ = run_cli("migrate", pair.config, "--cwd", pair.cwd)
    assert code == 0
    assert "recommended strategy: profile" in out
    assert "lift would put the run.yaml in native_override" in out
    assert "lift: not equivalent" in out and "LCORE-3370" in out


@pytest.mark.parametrize("args,code_word", [
    (["missing.yaml"], "file-not-found"),
    (["no-mcp/run.yaml"], "migrate-not-a-config"),
])
def test_bad_input_exits_2_with_a_located_error(run_cli, args, code_word):
    pair = PAIRS["no-mcp"]
    code, out, err = run_cli("migrate", *args, "--cwd", pair.cwd)
    assert code == 2
    assert code_word in err
    assert ":" in err.split(code_word)[0]  # file:line:col before the code


def test_missing_legacy_run_yaml_exits_2(tmp_path, run_cli):
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: x\nservice: {}\nllama_stack:\n  use_as_library_client: true\n"
                   "  library_client_config_path: nowhere/run.yaml\nuser_data_collection: {}\n")
    code, _, err = run_cli("migrate", cfg, "--cwd", tmp_path)
    assert code == 2
    assert "lightspeed-stack.yaml:5:" in err and "nowhere/run.yaml" in err


def test_run_yaml_that_is_not_a_mapping_exits_2(tmp_path, run_cli):
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: x\nservice: {}\nllama_stack:\n  use_as_library_client: true\n"
                   "  library_client_config_path: run.yaml\nuser_data_collection: {}\n")
    (tmp_path / "run.yaml").write_text("- just\n- a list\n")
    code, _, err = run_cli("migrate", cfg, "--cwd", tmp_path)
    assert code == 2 and "run.yaml" in err


def test_config_format_version_becomes_unified(tmp_path, run_cli):
    pair = PAIRS["no-mcp"].copy_to(tmp_path)
    cfg = tmp_path / pair.config
    cfg.write_text("config_format_version: legacy\n" + cfg.read_text())
    code, _, err = run_cli("migrate", cfg, "--strategy", "lift", "--write", "--cwd", tmp_path)
    assert code == 0, err
    assert cfg.read_text().startswith("config_format_version: unified\n")
    ws = load_workspace(cfg, cwd=tmp_path)
    assert ws.mode == "unified"
    assert not [f for f in ws.findings if f.code == "config-format-version"]


def test_refuses_to_clobber_a_config_changed_since_it_was_read(tmp_path):
    from lsc_tui.config.migration import Migration
    from lsc_tui.config.yaml.save import FileChangedError

    pair = PAIRS["no-mcp"].copy_to(tmp_path)
    cfg = tmp_path / pair.config
    m = Migration.open(cfg, cwd=tmp_path)
    m.choose("lift")
    cfg.write_text(cfg.read_text() + "# edited meanwhile\n")
    with pytest.raises(FileChangedError):
        m.write()
    assert cfg.read_text().endswith("# edited meanwhile\n")
    assert not cfg.with_name(cfg.name + ".pre-migrate.bak").exists()


def test_an_existing_backup_is_never_overwritten(tmp_path, run_cli):
    pair = PAIRS["no-mcp"].copy_to(tmp_path)
    cfg = tmp_path / pair.config
    old = cfg.with_name(cfg.name + ".pre-migrate.bak")
    old.write_text("an older backup\n")
    assert run_cli("migrate", cfg, "--strategy", "lift", "--write", "--cwd", tmp_path)[0] == 0
    assert old.read_text() == "an older backup\n"
    assert cfg.with_name(cfg.name + ".pre-migrate.1.bak").read_text().startswith("# Legacy library config")
    assert os.path.exists(tmp_path / pair.run_yaml)


def test_existing_config_errors_are_mentioned_not_hidden(run_cli):
    pair = PAIRS["shields"]
    code, out, _ = run_cli("migrate", pair.config, "--strategy", "lift", "--cwd", pair.cwd)
    assert code == 0
    assert "error(s) LCORE reports when it loads the file" in out and "shields[0].name" in out


def test_server_pair_profile_reminds_to_mount_the_run_yaml(run_cli):
    pair = PAIRS["byok-okp-rag-server"]
    code, out, _ = run_cli("migrate", pair.config, "--run-yaml", pair.run_yaml, "--strategy", "profile",
                           "--cwd", pair.cwd)
    assert code == 0
    assert "profile: ../run.yaml" in out
    assert "mount the run.yaml there at the same relative path" in out


def test_run_yaml_found_beside_the_config_is_pointed_out(tmp_path, run_cli):
    """LCORE resolves library_client_config_path against its start directory: when the file is
    only found beside the config, the migration says so (and the profile path is right anyway)."""
    pair = PAIRS["no-mcp"].copy_to(tmp_path)
    cfg = tmp_path / pair.config
    cfg.write_text(cfg.read_text().replace("library_client_config_path: no-mcp/run.yaml",
                                           "library_client_config_path: run.yaml"))
    code, out, _ = run_cli("migrate", cfg, "--strategy", "profile", "--cwd", tmp_path)
    assert code == 1  # the profile gets the MCP provider; the point here is the note
    assert "not in the current directory" in out
    assert "profile: run.yaml" in out


def test_unified_and_legacy_at_once_is_bad_input_with_a_way_out(tmp_path, run_cli):
    pair = PAIRS["no-mcp"].copy_to(tmp_path)
    cfg = tmp_path / pair.config
    cfg.write_text(cfg.read_text().replace("  timeout: 120\n", "  timeout: 120\n  config: {}\n"))
    before = _snapshot(tmp_path)
    code, _, err = run_cli("migrate", cfg, "--write", "--cwd", tmp_path)
    assert code == 2
    assert "migrate-unified-and-legacy" in err and "no legacy run to prove" in err
    assert "lightspeed-stack.yaml:9:" in err  # the library_client_config_path line
    assert _snapshot(tmp_path) == before


def test_a_directory_holding_the_config_is_accepted(tmp_path, run_cli):
    (tmp_path / "run.yaml").write_text("version: 2\napis: [inference]\n")
    (tmp_path / "lightspeed-stack.yaml").write_text(
        "name: LCS\nservice:\n  port: 8080\nllama_stack:\n  use_as_library_client: true\n"
        "  library_client_config_path: run.yaml\nuser_data_collection:\n  feedback_enabled: false\n")
    code, out, err = run_cli("migrate", tmp_path, "--strategy", "lift", "--write", "--cwd", tmp_path)
    assert code == 0, err
    assert yaml.safe_load((tmp_path / "lightspeed-stack.yaml").read_text())["llama_stack"]["config"] == {
        "baseline": "empty", "native_override": {"version": 2, "apis": ["inference"]}}


def test_a_new_output_file_is_listed_without_a_backup_that_was_never_made(tmp_path, run_cli):
    """`-o NEW` replaces nothing, so no backup is made: neither the plan printed after the write
    nor its --json may list one (it listed NEW.pre-migrate.bak, which did not exist)."""
    pair = PAIRS["azure-entraid-lib"].copy_to(tmp_path / "repo")
    out = tmp_path / "deploy" / "lightspeed-stack.yaml"
    code, stdout, err = run_cli("migrate", pair.config, "--strategy", "profile", "-o", out, "--cwd", tmp_path / "repo")
    assert code == 0, err
    assert not list(out.parent.glob("*.bak"))
    assert "pre-migrate" not in stdout and "backup" not in stdout
    again = tmp_path / "deploy" / "second.yaml"
    code, stdout, err = run_cli("migrate", pair.config, "--strategy", "profile", "-o", again, "--json",
                                "--cwd", tmp_path / "repo")
    data = json.loads(stdout)
    assert code == 0 and data["written"]["backup"] is None
    assert [f["action"] for f in data["files"]].count("backup") == 0
    # replacing an existing file does make one, and lists it once, by the name it was given
    code, stdout, err = run_cli("migrate", pair.config, "--strategy", "profile", "-o", out, "--cwd", tmp_path / "repo")
    assert code == 0 and (out.parent / "lightspeed-stack.yaml.pre-migrate.bak").is_file()
    assert stdout.count("lightspeed-stack.yaml.pre-migrate.bak") == 2  # the plan's line and the "wrote" line


def test_the_wrote_line_names_the_backup_as_the_plan_does(tmp_path, run_cli, chdir):
    pair = PAIRS["azure-entraid-lib"].copy_to(tmp_path)
    chdir(tmp_path)
    code, stdout, err = run_cli("migrate", pair.config, "--strategy", "profile", "--write")
    assert code == 0, err
    name = f"{pair.config}.pre-migrate.bak"
    assert f"  backup {name} (0600)" in stdout and f"; backup {name};" in stdout
    assert str(tmp_path) not in stdout
