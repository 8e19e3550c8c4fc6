"""The operator's files as editor workspaces: a CR, extra-providers.yaml, lls-provider-spec.yaml.

Opened with the same loader and session as a lightspeed-stack.yaml: detected by content, the
operator's rules as located findings, and a live preview equal to what `lsc-tui expand` and
`lsc-tui merge-external` write.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from lsc_tui.config.preview import synthesize
from lsc_tui.config.session import EditSession, RemoveNode, SetValue
from lsc_tui.config.workspace import available_profiles, load_workspace

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLES = FIXTURES / "corpus" / "llama-stack-k8s-operator" / "config" / "samples"
FULL = FIXTURES / "operator" / "v1alpha2-full.yaml"

RUN = (FIXTURES / "operator" / "run-vllm-small.yaml").read_text()  # a run.yaml the operator merges into

EXTRA = """\
apiVersion: llamastack.io/v1alpha1
kind: ExternalProviders
providers:
  inference:
  - provider_id: vllm
    provider_type: remote::custom-vllm
    module: my_org.custom_vllm
    config: {url: http://custom:8000}
  safety:
  - provider_id: my-guard
    provider_type: remote::my-guard
    module: my_org.guard
"""

SPEC = """\
apiVersion: llamastack.io/v1alpha1
kind: ProviderPackage
metadata:
  name: custom-vllm
  version: 1.0.0
  vendor: example
spec:
  packageName: my_org.custom_vllm
  providerType: remote::custom-vllm
  api: inference
  wheelPath: /lls-provider/packages/custom_vllm-1.0.0-py3-none-any.whl
"""


def copy(src: Path, tmp_path: Path, name: str | None = None) -> Path:
    dest = tmp_path / (name or src.name)
    shutil.copy(src, dest)
    return dest


def test_cr_is_detected_by_content_and_preview_equals_lsc_tui_expand(cli, tmp_path):
    cr = copy(FULL, tmp_path, "my-distribution.yaml")  # no telling name: the content decides
    ws = load_workspace(cr, cwd=tmp_path)
    assert ws.kind == "llsd" and ws.source is not None and ws.config is None
    result, _findings = synthesize(ws)
    out = tmp_path / "expanded.yaml"
    code, _o, _e = cli("expand", cr, "-o", out)
    assert code == 0
    assert result.text == out.read_text(encoding="utf-8")
    assert result.label == "generated config.yaml"


def test_cel_rule_violations_are_located_findings(tmp_path):
    cr = tmp_path / "llsd.yaml"
    cr.write_text("apiVersion: llamastack.io/v1alpha2\nkind: LlamaStackDistribution\nmetadata: {name: x}\n"
                  "spec:\n  distribution: {name: starter, image: quay.io/x:1}\n", encoding="utf-8")
    ws = load_workspace(cr, cwd=tmp_path)
    cel = [f for f in ws.findings if f.code == "cel-distribution"]
    assert cel and cel[0].file == "llsd.yaml" and (cel[0].line, cel[0].column) == (5, 3)
    assert cel[0].fix
    result, _ = synthesize(ws)
    assert result is None  # nothing is generated from an invalid CR


def test_cr_and_its_configmap_in_one_file_edit_and_save(tmp_path):
    cr = copy(SAMPLES / "example-with-configmap.yaml", tmp_path, "llsd.yaml")
    original = cr.read_text(encoding="utf-8")
    s = EditSession.open(cr, cwd=tmp_path)
    assert s.workspace.kind == "llsd" and s.workspace.source.stream
    assert "port: 8321" in s.analysis.run_yaml_text
    config_text = s.workspace.source.data[0]["data"]["config.yaml"]
    s.apply(SetValue(cr, (0, "data", "config.yaml"), config_text.replace("port: 8321", "port: 9000")))
    assert "port: 9000" in s.analysis.run_yaml_text
    assert "+  port: 9000" in s.analysis.diff_text and "-  port: 8321" in s.analysis.diff_text
    s.apply(SetValue(cr, (1, "spec", "replicas"), 2))
    s.save()
    docs = list(yaml.safe_load_all(cr.read_text(encoding="utf-8")))
    assert [d["kind"] for d in docs] == ["ConfigMap", "LlamaStackDistribution"]
    assert docs[1]["spec"]["replicas"] == 2 and "port: 9000" in docs[0]["data"]["config.yaml"]
    s.undo()
    s.undo()
    assert s.buffers[cr] == original


def test_a_stream_without_a_cr_is_still_refused(tmp_path):
    from lsc_tui.config.workspace import WorkspaceError

    p = tmp_path / "lightspeed-stack.yaml"
    p.write_text("name: a\n---\nname: b\n", encoding="utf-8")
    with pytest.raises(WorkspaceError) as exc:
        load_workspace(p, cwd=tmp_path)
    assert "single document" in exc.value.finding.message


def test_kind_is_kept_while_editing(tmp_path):
    cr = copy(FULL, tmp_path, "llsd.yaml")
    s = EditSession.open(cr, cwd=tmp_path)
    s.apply(RemoveNode(cr, ("kind",)))
    assert s.workspace.kind == "llsd"  # not suddenly a lightspeed-stack.yaml full of errors
    assert s.analysis.synthesis is None
    assert any(f.code == "not-llsd" or "kind" in f.message for f in s.analysis.findings)


def test_base_config_next_to_the_cr_is_used_and_said(cli, tmp_path):
    cr = copy(FULL, tmp_path, "llsd.yaml")
    shutil.copy(FIXTURES / "operator" / "starter-config.yaml", tmp_path / "base-config.yaml")
    ws = load_workspace(cr, cwd=tmp_path)
    result, findings = synthesize(ws)
    assert any(f.code == "base-config-beside" for f in findings)
    out = tmp_path / "out.yaml"
    assert cli("expand", cr, "--base", tmp_path / "base-config.yaml", "-o", out)[0] == 0
    assert result.text == out.read_text(encoding="utf-8")


def test_inline_secret_in_a_cr_is_a_secret_finding_and_masked(tmp_path):
    cr = tmp_path / "llsd.yaml"
    cr.write_text(FULL.read_text(encoding="utf-8").replace(
        "settings: {base_url: http://vllm:8000/v1, max_tokens: 4096}",
        "settings: {base_url: http://vllm:8000/v1, max_tokens: 4096, api_key: sk-proj-abcdefghijklmnopqrstuvwx1234}"),
        encoding="utf-8")
    s = EditSession.open(cr, cwd=tmp_path)
    assert s.analysis.secret_findings
    assert "sk-proj-abcdefghijklmnopqrstuvwx1234" not in s.analysis.run_yaml_text
    assert "api_key:" in s.analysis.run_yaml_text


def test_extra_providers_preview_equals_merge_external(cli, tmp_path):
    (tmp_path / "run.yaml").write_text(RUN, encoding="utf-8")
    extra = tmp_path / "extra-providers.yaml"
    extra.write_text(EXTRA, encoding="utf-8")
    s = EditSession.open(extra, cwd=tmp_path)
    assert s.workspace.kind == "extra-providers"
    assert [d.display for d in s.workspace.documents] == ["extra-providers.yaml", "run.yaml"]
    out = tmp_path / "merged.yaml"
    assert cli("merge-external", "--run-yaml", tmp_path / "run.yaml", "--extra-providers", extra, "-o", out)[0] == 0
    assert s.analysis.synthesis.text == out.read_text(encoding="utf-8")
    assert s.analysis.synthesis.label == "merged run.yaml"
    override = [f for f in s.analysis.findings if f.code == "provider-override"]
    assert override and override[0].file == "run.yaml" and override[0].line == 6
    s.apply(SetValue(extra, ("providers", "inference", 0, "config", "url"), "http://other:9000"))
    assert "+      url: http://other:9000" in s.analysis.diff_text
    # the run.yaml next to it is part of the workspace: editing it changes the preview too
    s.apply(SetValue(tmp_path / "run.yaml", ("server", "port"), 9999))
    assert "port: 9999" in s.analysis.run_yaml_text


def test_extra_providers_schema_errors_are_located(tmp_path):
    extra = tmp_path / "extra-providers.yaml"
    extra.write_text(EXTRA.replace("provider_type: remote::my-guard", "provider_type: my-guard"), encoding="utf-8")
    ws = load_workspace(extra, cwd=tmp_path)
    bad = [f for f in ws.findings if f.code == "extra-providers-schema"]
    assert bad and bad[0].line == 11 and "remote::name" in bad[0].message


def test_extra_providers_without_run_yaml_shows_validation_only(tmp_path):
    extra = tmp_path / "extra-providers.yaml"
    extra.write_text(EXTRA, encoding="utf-8")
    s = EditSession.open(extra, cwd=tmp_path)
    assert s.analysis.synthesis is None
    info = [f for f in s.analysis.findings if f.code == "no-run-yaml-beside"]
    assert info and "only its validation" in info[0].message


def test_extra_providers_is_not_offered_as_a_profile(tmp_path):
    (tmp_path / "extra-providers.yaml").write_text(EXTRA, encoding="utf-8")
    (tmp_path / "run.yaml").write_text(RUN, encoding="utf-8")
    assert available_profiles(tmp_path) == ["run.yaml"]


def test_provider_spec_with_crd_config(tmp_path):
    (tmp_path / "run.yaml").write_text(RUN, encoding="utf-8")
    spec = tmp_path / "lls-provider-spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    (tmp_path / "crd-config.yaml").write_text("providerId: fast-vllm\napi: inference\nconfig: {url: http://f:1}\n",
                                              encoding="utf-8")
    s = EditSession.open(spec, cwd=tmp_path)
    assert s.workspace.kind == "provider-spec"
    merged = yaml.safe_load(s.analysis.run_yaml_text)
    assert merged["providers"]["inference"][-1] == {"provider_id": "fast-vllm", "provider_type": "remote::custom-vllm",
                                                    "module": "my_org.custom_vllm", "config": {"url": "http://f:1"}}
    s.apply(SetValue(spec, ("spec", "providerType"), "remote::faster-vllm"))
    assert "remote::faster-vllm" in s.analysis.run_yaml_text


def test_provider_spec_without_crd_config_uses_metadata_name(tmp_path):
    (tmp_path / "run.yaml").write_text(RUN, encoding="utf-8")
    spec = tmp_path / "lls-provider-spec.yaml"
    spec.write_text(SPEC.replace("version: 1.0.0", "version: one"), encoding="utf-8")
    ws = load_workspace(spec, cwd=tmp_path)
    bad = [f for f in ws.findings if f.code == "provider-package-schema"]
    assert bad and bad[0].line == 5  # metadata.version, located
    spec.write_text(SPEC, encoding="utf-8")
    result, findings = synthesize(load_workspace(spec, cwd=tmp_path))
    assert any(f.code == "provider-id-from-name" for f in findings)
    assert yaml.safe_load(result.text)["providers"]["inference"][-1]["provider_id"] == "custom-vllm"


def test_kind_missing_is_detected_by_file_name(tmp_path):
    extra = tmp_path / "extra-providers.yaml"
    extra.write_text(EXTRA.replace("kind: ExternalProviders\n", ""), encoding="utf-8")
    ws = load_workspace(extra, cwd=tmp_path)
    assert ws.kind == "extra-providers"
    missing = [f for f in ws.findings if f.code == "kind-missing"]
    assert missing and "ExternalProviders" in missing[0].fix


def test_validate_command_reads_a_cr(cli, tmp_path):
    cr = tmp_path / "llsd.yaml"
    cr.write_text("apiVersion: llamastack.io/v1alpha2\nkind: LlamaStackDistribution\nmetadata: {name: x}\n"
                  "spec:\n  distribution: {name: nosuch}\n", encoding="utf-8")
    code, out, _err = cli("validate", cr)
    assert code == 1
    assert "llsd.yaml:5:" in out


def test_migration_says_a_cr_is_not_a_config(tmp_path):
    from lsc_tui.config.migration.analyse import MigrationInputError, analyse

    cr = copy(FULL, tmp_path, "llsd.yaml")
    with pytest.raises(MigrationInputError) as exc:
        analyse(cr, cwd=tmp_path)
    assert "LlamaStackDistribution" in exc.value.finding.message
    assert "run.yaml" not in exc.value.finding.message.split(";")[0]
