"""Edits as operations: each changes only its span, undo/redo, safe saves, disk changes."""

import shutil
from pathlib import Path

import pytest
import yaml

from lsc_tui.config.session import (AddProvider, DuplicateListItem, EditSession, InsertListItem, MoveListItem,
                                    OperationError, RemoveNode, RenameProvider, ReplaceNodeYaml, SetEnvRef,
                                    SetValue, read_recovery)
from lsc_tui.config.yaml.save import FileChangedError

DEMO = Path(__file__).resolve().parents[2] / "lsc_tui" / "data" / "demo"


@pytest.fixture
def demo(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    ws = tmp_path / "ws"
    shutil.copytree(DEMO, ws)
    return ws


def open_demo(ws: Path) -> EditSession:
    return EditSession.open(ws / "lightspeed-stack.yaml", cwd=ws)


def test_opens_demo(demo):
    s = open_demo(demo)
    assert s.workspace.mode == "legacy-library"
    assert not s.dirty and not s.can_undo
    assert s.analysis.findings


def test_set_value_changes_only_that_span(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    before = run.read_text()
    s.apply(SetValue(run, ("providers", "inference", 0, "config", "url"), "http://vllm-2:8000/v1"))
    after = s.text_of(run)
    assert after == before.replace("http://vllm.internal.example:8000/v1", "http://vllm-2:8000/v1")
    assert s.dirty and s.dirty_files == [run]
    assert run.read_text() == before  # nothing written yet


def test_undo_redo(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    original = s.text_of(run)
    s.apply(SetValue(run, ("providers", "inference", 0, "config", "tls_verify"), False))
    edited = s.text_of(run)
    s.undo()
    assert s.text_of(run) == original and not s.dirty and s.can_redo
    s.redo()
    assert s.text_of(run) == edited and s.dirty


def test_set_env_ref_validates_name(demo):
    s = open_demo(demo)
    cfg = demo / "lightspeed-stack.yaml"
    with pytest.raises(OperationError):
        s.apply(SetEnvRef(cfg, ("conversation_cache", "postgres", "password"), "lower-case"))
    s.apply(SetEnvRef(cfg, ("conversation_cache", "postgres", "password"), "PG_PASSWORD"))
    text = s.text_of(cfg)
    assert "password: ${env.PG_PASSWORD}  # pasted by hand" in text


def test_add_duplicate_move_rename_remove_provider(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    s.apply(AddProvider(run, "inference", {"provider_id": "ollama", "provider_type": "remote::ollama",
                                           "config": {"url": "http://localhost:11434"}}))
    def ids():
        return [p["provider_id"] for p in yaml.safe_load(s.text_of(run))["providers"]["inference"]]
    assert ids() == ["vllm", "openai", "sentence-transformers", "ollama"]
    with pytest.raises(OperationError):
        s.apply(AddProvider(run, "inference", {"provider_id": "ollama", "provider_type": "remote::ollama"}))
    s.apply(DuplicateListItem(run, ("providers", "inference"), 0))
    assert ids() == ["vllm", "vllm-copy", "openai", "sentence-transformers", "ollama"]
    s.apply(MoveListItem(run, ("providers", "inference"), 4, 0))
    assert ids()[0] == "ollama"
    with pytest.raises(OperationError):
        s.apply(RenameProvider(run, ("providers", "inference", 0), "openai"))
    s.apply(RenameProvider(run, ("providers", "inference", 0), "local-ollama"))
    assert ids()[0] == "local-ollama"
    s.apply(RemoveNode(run, ("providers", "inference", 0)))
    assert ids() == ["vllm", "vllm-copy", "openai", "sentence-transformers"]
    # comments of untouched parts survive structural edits
    assert "# Llama Stack run configuration used by the demo" in s.text_of(run)


def test_replace_node_yaml_reports_located_errors(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    with pytest.raises(OperationError) as exc:
        s.apply(ReplaceNodeYaml(run, ("providers", "inference", 0, "config"), "url: [1, 2\n"))
    assert "line" in str(exc.value)
    s.apply(ReplaceNodeYaml(run, ("providers", "inference", 0, "config"), "url: http://x:1/v1\napi_token: ${env.T}\n"))
    assert yaml.safe_load(s.text_of(run))["providers"]["inference"][0]["config"] == {
        "url": "http://x:1/v1", "api_token": "${env.T}"}


def test_insert_creates_missing_list(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    s.apply(InsertListItem(run, ("providers", "safety"), 0, {"provider_id": "llama-guard",
                                                             "provider_type": "inline::llama-guard"}))
    assert yaml.safe_load(s.text_of(run))["providers"]["safety"][0]["provider_id"] == "llama-guard"


def test_yaml11_trap_is_refused_or_quoted(demo):
    s = open_demo(demo)
    cfg = demo / "lightspeed-stack.yaml"
    s.apply(SetValue(cfg, ("name",), "yes"))
    assert yaml.safe_load(s.text_of(cfg))["name"] == "yes"


def test_save_writes_backup_and_keeps_the_rest(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    original = run.read_text()
    s.apply(SetValue(run, ("distro_name",), "renamed"))
    results = s.save()
    assert [r.path for r in results] == [run]
    assert run.read_text() == original.replace("distro_name: lsc-tui-demo", "distro_name: renamed")
    assert results[0].backup.read_text() == original
    assert not s.dirty


def test_save_refuses_when_file_changed_on_disk(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    s.apply(SetValue(run, ("distro_name",), "mine"))
    run.write_text(run.read_text().replace("lsc-tui-demo", "theirs"))
    with pytest.raises(FileChangedError):
        s.save()
    assert "theirs" in run.read_text()
    assert s.check_disk() == [(run, "conflict")]
    assert "theirs" in s.disk_diff(run)
    s.keep_mine(run)
    s.save()
    assert "distro_name: mine" in run.read_text()


def test_clean_buffer_reloads_from_disk(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    run.write_text(run.read_text().replace("lsc-tui-demo", "theirs"))
    assert s.check_disk() == [(run, "reloaded")]
    assert "theirs" in s.text_of(run) and not s.dirty


def test_own_save_is_not_an_external_change(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    s.apply(SetValue(run, ("distro_name",), "x"))
    s.save()
    assert s.check_disk() == []


def test_take_theirs(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    s.apply(SetValue(run, ("distro_name",), "mine"))
    run.write_text(run.read_text().replace("lsc-tui-demo", "theirs"))
    s.reload(run)
    assert "theirs" in s.text_of(run) and not s.dirty and not s.can_undo


def test_recovery_file_round_trip(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    s.apply(SetValue(run, ("distro_name",), "unsaved"))
    target = s.write_recovery()
    assert target is not None and (target.stat().st_mode & 0o777) == 0o600
    assert read_recovery(s.path)["files"][str(run)]["text"] == s.text_of(run)
    s2 = open_demo(demo)
    s2.restore_recovery()
    assert "distro_name: unsaved" in s2.text_of(run) and s2.dirty
    assert read_recovery(s.path) is None


def test_switch_profile_and_baseline(tmp_path):
    from lsc_tui.config.session import SwitchProfile
    from lsc_tui.config.workspace import profile_choices

    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "small.yaml").write_text(
        "version: 2\ndistro_name: s\napis: [inference]\nproviders:\n  inference:\n"
        "  - provider_id: ollama\n    provider_type: remote::ollama\n    config: {url: 'http://o:11434'}\n")
    cfg = tmp_path / "lightspeed-stack.yaml"
    cfg.write_text("name: t  # the service\nservice: {}\nuser_data_collection: {}\nllama_stack:\n"
                   "  use_as_library_client: true\n  config:\n    baseline: default\n")
    s = EditSession.open(cfg, cwd=tmp_path)
    choices = profile_choices(s.workspace)
    assert [(c.name, c.active) for c in choices if c.active] == [("default", True)]
    assert ("profiles/small.yaml", "file") in [(c.name, c.kind) for c in choices]
    with pytest.raises(OperationError) as exc:
        s.apply(SwitchProfile(cfg, profile="profiles/nope.yaml"))
    assert "profiles/small.yaml" in str(exc.value)
    a = s.apply(SwitchProfile(cfg, profile="profiles/small.yaml"))
    assert s.workspace.profile is not None
    assert "ollama" in a.run_yaml_text
    assert [l for l in a.diff_text.splitlines() if l.startswith("+") and "provider_id: ollama" in l]
    assert "# the service" in s.text_of(cfg) and "baseline" not in s.text_of(cfg)
    assert not [f for f in a.findings if f.code == "baseline-ignored"]
    s.apply(SwitchProfile(cfg, baseline="empty"))
    assert s.workspace.profile is None and s.workspace.baseline == "empty"


def test_typing_in_one_field_is_one_undo_step(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    original = s.text_of(run)
    path = ("providers", "inference", 0, "config", "url")
    for url in ("http://a", "http://ab", "http://abc:1/v1"):
        s.apply(SetValue(run, path, url))
    s.apply(SetValue(run, ("distro_name",), "other"))
    s.undo()
    assert "http://abc:1/v1" in s.text_of(run)
    s.undo()
    assert s.text_of(run) == original and not s.can_undo


def test_disk_version_that_is_not_yaml_is_refused(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    before = s.text_of(run)
    run.write_text("providers: [unclosed\n")
    assert s.check_disk() == [(run, "unreadable")]
    assert s.text_of(run) == before
    with pytest.raises(OperationError) as exc:
        s.reload(run)
    assert "run.yaml:2:1" in str(exc.value)


def test_typing_keeps_the_fields_style_across_values_that_need_quotes_half_way(demo):
    """Each keystroke is a SetValue; `http:` must be quoted, `http://b:1/v1` need not be: the
    field ends in the style it had before the typing (plain), in one undo step."""
    s = open_demo(demo)
    run = demo / "run.yaml"
    original = s.text_of(run)
    path = ("providers", "inference", 0, "config", "url")
    typed = "http://b:1/v1"
    for i in range(1, len(typed) + 1):
        s.apply(SetValue(run, path, typed[:i]))
        assert yaml.safe_load(s.text_of(run))["providers"]["inference"][0]["config"]["url"] == typed[:i]
    assert "    url: http://b:1/v1\n" in s.text_of(run)
    s.undo()
    assert s.text_of(run) == original


def test_typing_in_a_quoted_field_keeps_its_quotes(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    text = s.text_of(run).replace("url: http://vllm.internal.example:8000/v1", "url: 'http://vllm.internal.example:8000/v1'")
    run.write_text(text)
    s = open_demo(demo)
    path = ("providers", "inference", 0, "config", "url")
    for value in ("h", "http:", "http://c"):
        s.apply(SetValue(run, path, value))
    assert "    url: 'http://c'\n" in s.text_of(run)


def test_a_file_moved_away_counts_as_unsaved_and_saving_writes_it_back(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    before = s.text_of(run)
    run.rename(demo / "run.yaml.moved")
    assert s.check_disk() == [(run, "deleted")]
    assert s.check_disk() == []  # said once
    assert s.dirty and run in s.dirty_files  # the editor's copy is not on disk: quitting asks
    [result] = s.save()
    assert result.path == run and run.read_text() == before and not s.dirty
    assert s.check_disk() == []


def test_a_file_put_back_as_it_was_is_not_unsaved_any_more(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    run.rename(demo / "elsewhere.yaml")
    assert s.check_disk() == [(run, "deleted")]
    (demo / "elsewhere.yaml").rename(run)
    assert s.check_disk() == [] and not s.dirty


def test_a_file_broken_from_outside_is_saved_over_with_a_backup(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    before = s.text_of(run)
    run.write_text("providers: [unclosed\n")
    assert s.check_disk() == [(run, "unreadable")]
    assert "run.yaml:2:1" in s.unusable[run]
    assert s.check_disk() == []  # said once
    assert run in s.dirty_files
    [result] = s.save()
    assert run.read_text() == before
    assert result.backup is not None and result.backup.read_text() == "providers: [unclosed\n"
    assert not s.dirty


def test_a_broken_file_fixed_on_disk_is_reloaded(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    before = s.text_of(run)
    run.write_text("providers: [unclosed\n")
    s.check_disk()
    run.write_text(before.replace("vllm.internal.example", "vllm.fixed.example"))
    assert s.check_disk() == [(run, "reloaded")]
    assert "vllm.fixed.example" in s.text_of(run) and not s.dirty


def test_files_the_apps_own_flows_wrote_are_reloaded_as_written_not_as_changed_by_someone(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    run.write_text(s.text_of(run).replace("vllm.internal.example", "vllm.flow.example"))
    s.note_written([run], "the migration")
    assert s.check_disk() == [(run, "written")]
    assert "vllm.flow.example" in s.text_of(run)
    run.write_text(s.text_of(run).replace("vllm.flow.example", "vllm.someone.example"))
    assert s.check_disk() == [(run, "reloaded")]  # a later change by anyone else is theirs


def test_the_previous_edit_baseline_is_the_whole_edit_not_the_last_keystroke(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    path = ("providers", "inference", 0, "config", "url")
    s.apply(SetValue(run, ("distro_name",), "other"))  # an earlier edit
    s.set_diff_baseline("previous")
    for url in ("http://a", "http://ab", "http://abc:1/v1"):  # typing: one edit of one field
        a = s.apply(SetValue(run, path, url))
    removed = [ln for ln in a.diff_text.splitlines() if ln.startswith("-") and "url:" in ln]
    added = [ln for ln in a.diff_text.splitlines() if ln.startswith("+") and "url:" in ln]
    assert removed and "vllm.internal.example" in removed[0]  # the value before the typing began
    assert added and "http://abc:1/v1" in added[0]
    assert "other" not in a.diff_text  # the edit before is not part of the last one
    assert a.baseline_label == "before the last edit"
    a = s.undo()  # the last edit is now the distro_name one
    assert [ln for ln in a.diff_text.splitlines() if ln.startswith("+") and "other" in ln]


def test_the_recovery_file_knows_when_the_disk_changed_after_it(demo):
    s = open_demo(demo)
    run = demo / "run.yaml"
    s.apply(SetValue(run, ("providers", "inference", 0, "config", "url"), "http://recovered:1/v1"))
    s.write_recovery()
    assert open_demo(demo).recovery_changed_on_disk() == []
    run.write_text(run.read_text().replace("vllm.internal.example", "vllm.after-crash.example"))
    s2 = open_demo(demo)
    assert s2.recovery_changed_on_disk() == [run]
