"""`lsc-tui merge-external`: the operator's external-provider merge (seed 002, spec 001 §2.5)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml


def load(path):
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


RUN = """
version: 2
distro_name: starter
apis: [inference, safety]
providers:
  inference:
  - provider_id: vllm
    provider_type: remote::vllm
    config: {base_url: http://vllm:8000}
  - provider_id: openai
    provider_type: remote::openai
  safety:
  - provider_id: llama-guard
    provider_type: inline::llama-guard
storage:
  backends:
    kv_default: {type: kv_sqlite, db_path: /tmp/kv.db}
registered_resources:
  models: []
server:
  port: 8321
"""

HEADER = "apiVersion: llamastack.io/v1alpha1\nkind: ExternalProviders\n"


def extra(write, body: str, name: str = "extra-providers.yaml"):
    return write(name, HEADER + body)


def test_override_replaces_in_place_with_warning_naming_both_types(cli, write, tmp_path):
    run = write("run.yaml", RUN)
    ext = extra(write, """
providers:
  inference:
  - provider_id: vllm
    provider_type: remote::custom-vllm
    module: my_org.custom_vllm
    config: {url: http://custom:8000}
""")
    out = tmp_path / "merged.yaml"
    code, _, err = cli("merge-external", "--run-yaml", run, "--extra-providers", ext, "-o", out)
    assert code == 0
    assert ("WARNING: External provider 'vllm' overrides base provider in API 'inference'\n"
            "  Base type: remote::vllm\n  External type: remote::custom-vllm") in err
    assert "run.yaml:6:5" in err  # the base entry it replaced
    merged = load(out)
    inference = merged["providers"]["inference"]
    assert [p["provider_id"] for p in inference] == ["vllm", "openai"]  # replaced in place, not appended
    assert inference[0] == {"provider_id": "vllm", "provider_type": "remote::custom-vllm",
                            "module": "my_org.custom_vllm", "config": {"url": "http://custom:8000"}}


def test_unknown_top_level_keys_survive_the_merge(cli, write, tmp_path):
    run = write("run.yaml", RUN)
    ext = extra(write, """
providers:
  safety:
  - {provider_id: my-guard, provider_type: remote::my-guard, module: guard}
""")
    out = tmp_path / "merged.yaml"
    assert cli("merge-external", "--run-yaml", run, "--extra-providers", ext, "-o", out)[0] == 0
    merged = load(out)
    original = load(run)
    for key in ("storage", "registered_resources", "server", "distro_name", "version"):
        assert merged[key] == original[key]
    assert merged["providers"]["safety"][-1]["provider_id"] == "my-guard"
    assert merged["providers"]["inference"] == original["providers"]["inference"]


def test_edge_cases_empty_base_new_api_no_config(cli, write, tmp_path):
    run = write("run.yaml", "")  # empty base: a providers section is created
    ext = extra(write, """
providers:
  vector_io:
  - provider_id: my-vec
    provider_type: inline::my-vec
    module: my_vec
  tool_runtime:
  - provider_id: my-tool
    provider_type: remote::my-tool
    module: my_tool
    config: {}
""")
    out = tmp_path / "merged.yaml"
    code, _, err = cli("merge-external", "--run-yaml", run, "--extra-providers", ext, "-o", out)
    assert code == 0, err
    merged = load(out)
    assert merged == {"providers": {
        "vector_io": [{"provider_id": "my-vec", "provider_type": "inline::my-vec", "module": "my_vec"}],
        "tool_runtime": [{"provider_id": "my-tool", "provider_type": "remote::my-tool", "module": "my_tool",
                          "config": {}}],
    }}
    assert "config" not in merged["providers"]["vector_io"][0]  # no config in, no config key out


def test_empty_base_section_ends_with_only_externals(cli, write, tmp_path):
    run = write("run.yaml", "version: 2\nproviders:\n  inference: []\n")
    ext = extra(write, """
providers:
  inference:
  - {provider_id: a, provider_type: remote::a, module: a}
  - {provider_id: b, provider_type: remote::b, module: b}
""")
    out = tmp_path / "m.yaml"
    assert cli("merge-external", "--run-yaml", run, "--extra-providers", ext, "-o", out)[0] == 0
    assert [p["provider_id"] for p in load(out)["providers"]["inference"]] == ["a", "b"]  # CRD order kept


def test_new_api_is_added_to_a_nonempty_apis_list(cli, write, tmp_path):
    run = write("run.yaml", RUN)
    ext = extra(write, """
providers:
  vector_io:
  - {provider_id: my-vec, provider_type: remote::my-vec, module: my_vec}
""")
    out = tmp_path / "m.yaml"
    code, _, err = cli("merge-external", "--run-yaml", run, "--extra-providers", ext, "-o", out)
    assert code == 0
    assert load(out)["apis"] == ["inference", "safety", "vector_io"]
    assert "API 'vector_io' added to apis" in err


def test_same_id_in_another_api_is_kept_with_a_warning(cli, write, tmp_path):
    run = write("run.yaml", RUN)
    ext = extra(write, """
providers:
  inference:
  - {provider_id: llama-guard, provider_type: remote::guard-infer, module: gi}
""")
    out = tmp_path / "m.yaml"
    code, _, err = cli("merge-external", "--run-yaml", run, "--extra-providers", ext, "-o", out)
    assert code == 0
    merged = load(out)
    assert merged["providers"]["safety"][0]["provider_id"] == "llama-guard"
    assert merged["providers"]["inference"][-1]["provider_id"] == "llama-guard"
    assert "same id as base provider in API 'safety'" in err


def test_conditional_base_id_clash_is_warned(cli, write, tmp_path):
    run = write("run.yaml", """
providers:
  inference:
  - provider_id: ${env.VLLM_URL:+vllm}
    provider_type: remote::vllm
""")
    ext = extra(write, """
providers:
  inference:
  - {provider_id: vllm, provider_type: remote::my-vllm, module: mv}
""")
    code, out, err = cli("merge-external", "--run-yaml", run, "--extra-providers", ext)
    assert code == 0
    assert "when VLLM_URL is set, both have the id 'vllm'" in err
    assert len(load_text(out)["providers"]["inference"]) == 2


def load_text(text):
    import yaml

    return yaml.safe_load(text)


@pytest.mark.parametrize("body, found", [
    ("""
providers:
  inference:
  - {provider_id: dup, provider_type: remote::a, module: a}
  - {provider_id: dup, provider_type: remote::b, module: b}
""", "found in inference[0] and inference[1]"),
    ("""
providers:
  inference:
  - {provider_id: dup, provider_type: remote::a, module: a}
  safety:
  - {provider_id: dup, provider_type: remote::b, module: b}
""", "found in both inference and safety API sections"),
])
def test_duplicate_external_ids_fail(cli, write, tmp_path, body, found):
    run = write("run.yaml", RUN)
    ext = extra(write, body)
    out = tmp_path / "m.yaml"
    code, stdout, err = cli("merge-external", "--run-yaml", run, "--extra-providers", ext, "-o", out)
    assert code == 1
    assert "Duplicate provider ID detected in external providers" in err
    assert "duplicate provider_id 'dup' in externalProviders: " + found in err
    assert not out.exists() and stdout == ""


def test_yaml_error_is_located_and_exits_2(cli, write):
    run = write("run.yaml", RUN)
    ext = write("extra.yaml", HEADER + "providers:\n  inference:\n  - provider_id: a\n   provider_type: x\n")
    code, _, err = cli("merge-external", "--run-yaml", run, "--extra-providers", ext)
    assert code == 2
    assert "extra.yaml:6:4:" in err and ": error: yaml-syntax:" in err
    assert "Traceback" not in err


def test_bad_run_yaml_exits_2(cli, write):
    run = write("run.yaml", "providers: [\n")
    ext = extra(write, "providers: {}\n")
    code, _, err = cli("merge-external", "--run-yaml", run, "--extra-providers", ext)
    assert code == 2 and "run.yaml:" in err and "yaml-syntax" in err


@pytest.mark.parametrize("body, needle", [
    ("providers:\n  inference:\n  - {provider_id: a, provider_type: vllm, module: a}\n",
     "provider_type 'vllm' must look like remote::name or inline::name"),
    ("providers:\n  inference:\n  - {provider_id: a, provider_type: remote::a}\n", "module: Required value"),
    ("providers:\n  memory:\n  - {provider_id: a, provider_type: remote::a, module: a}\n", "unknown API 'memory'"),
    ("providers:\n  inference:\n  - {provider_id: Bad_ID, provider_type: remote::a, module: a}\n",
     "provider_id 'Bad_ID' must match"),
])
def test_extra_providers_schema_errors(cli, write, body, needle):
    run = write("run.yaml", RUN)
    ext = extra(write, body)
    code, _, err = cli("merge-external", "--run-yaml", run, "--extra-providers", ext)
    assert code == 1
    assert needle in err
    assert "extra-providers.yaml:" in err


def test_wrong_kind_is_rejected(cli, write):
    run = write("run.yaml", RUN)
    ext = write("e.yaml", "apiVersion: llamastack.io/v1alpha1\nkind: ProviderPackage\nproviders: {}\n")
    code, _, err = cli("merge-external", "--run-yaml", run, "--extra-providers", ext)
    assert code == 1 and "kind: Unsupported value" in err and "e.yaml:2:1" in err


def test_output_is_private_and_backed_up(cli, write, tmp_path):
    run = write("run.yaml", RUN)
    ext = extra(write, "providers: {}\n")
    out = tmp_path / "merged.yaml"
    out.write_text("old: content\n")
    os.chmod(out, 0o644)
    code, _, err = cli("merge-external", "--run-yaml", run, "--extra-providers", ext, "-o", out)
    assert code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert (tmp_path / "merged.yaml.bak").read_text() == "old: content\n"
    assert load(out)["providers"] == load(run)["providers"]


def test_warnings_never_show_provider_config_values(cli, write):
    token = "tok-" + "9f8e7d6c5b4a" * 3
    run = write("run.yaml", f"""
providers:
  inference:
  - provider_id: vllm
    provider_type: remote::vllm
    config: {{api_token: {token}}}
""")
    ext = extra(write, f"""
providers:
  inference:
  - provider_id: vllm
    provider_type: remote::my-vllm
    module: mv
    config: {{api_token: {token}}}
""")
    code, _, err = cli("merge-external", "--run-yaml", run, "--extra-providers", ext)
    assert code == 0 and "overrides base provider" in err
    assert token not in err


# -- metadata directory (what the install init containers leave behind) ---------------------------

PACKAGE = """
apiVersion: llamastack.io/v1alpha1
kind: ProviderPackage
metadata:
  name: custom-vllm
  version: 1.2.0
  vendor: Example Org
  maintainer: team@example.com
spec:
  packageName: my_org.custom_vllm
  providerType: {ptype}
  api: {api}
  wheelPath: /lls-provider/packages/custom_vllm-1.2.0-py3-none-any.whl
"""


def metadata(write, pid: str, *, api="inference", section="inference", ptype="remote::custom-vllm",
             image="registry.example.com/org/vllm-provider:1.2", spec=True, crd=True, config="{url: http://v:8000}"):
    if spec:
        write(f"meta/{pid}/lls-provider-spec.yaml", PACKAGE.format(ptype=ptype, api=api))
    if crd:
        write(f"meta/{pid}/crd-config.yaml", f"providerId: {pid}\napi: {section}\nimage: {image}\nconfig: {config}\n")


def test_metadata_dir_types_from_metadata_config_from_crd(cli, write, tmp_path):
    run = write("run.yaml", RUN)
    metadata(write, "custom-vllm")
    metadata(write, "my-vec", api="vector_io", section="vectorIo", ptype="remote::my-vec", config="null")
    out, gen = tmp_path / "m.yaml", tmp_path / "extra-providers.yaml"
    code, _, err = cli("merge-external", "--run-yaml", run, "--metadata-dir", tmp_path / "meta", "-o", out,
                       "--extra-providers-output", gen, "--log", tmp_path / "merge-log.txt")
    assert code == 0, err
    merged = load(out)
    assert merged["providers"]["inference"][-1] == {
        "provider_id": "custom-vllm", "provider_type": "remote::custom-vllm", "module": "my_org.custom_vllm",
        "config": {"url": "http://v:8000"}}
    assert merged["providers"]["vector_io"] == [
        {"provider_id": "my-vec", "provider_type": "remote::my-vec", "module": "my_org.custom_vllm"}]
    doc = load(gen)
    assert doc["kind"] == "ExternalProviders" and set(doc["providers"]) == {"inference", "vector_io"}
    assert "merged external provider 'custom-vllm'" in (tmp_path / "merge-log.txt").read_text()


def test_metadata_api_mismatch_fails_with_placement_message(cli, write, tmp_path):
    run = write("run.yaml", RUN)
    metadata(write, "custom-vllm", api="safety", section="inference")
    code, _, err = cli("merge-external", "--run-yaml", run, "--metadata-dir", tmp_path / "meta")
    assert code == 1
    assert ("Provider API type mismatch: Provider 'custom-vllm' (image: registry.example.com/org/vllm-provider:1.2) "
            "declares api=safety in lls-provider-spec.yaml but is placed under externalProviders.inference") in err
    assert "Move the provider to externalProviders.safety section in the LLSD spec." in err
    assert "crd-config.yaml:2:1" in err


def test_missing_metadata_fails_naming_the_image(cli, write, tmp_path):
    run = write("run.yaml", RUN)
    metadata(write, "custom-vllm", spec=False)
    code, _, err = cli("merge-external", "--run-yaml", run, "--metadata-dir", tmp_path / "meta")
    assert code == 1
    assert ("Missing /lls-provider/lls-provider-spec.yaml in image registry.example.com/org/vllm-provider:1.2 "
            "(init container install-provider-custom-vllm)") in err


def test_missing_crd_config_fails(cli, write, tmp_path):
    run = write("run.yaml", RUN)
    metadata(write, "custom-vllm", crd=False)
    code, _, err = cli("merge-external", "--run-yaml", run, "--metadata-dir", tmp_path / "meta")
    assert code == 1 and "Missing crd-config.yaml for provider 'custom-vllm'" in err


def test_invalid_provider_package_fields(cli, write, tmp_path):
    run = write("run.yaml", RUN)
    metadata(write, "custom-vllm", ptype="custom-vllm")
    code, _, err = cli("merge-external", "--run-yaml", run, "--metadata-dir", tmp_path / "meta")
    assert code == 1
    assert "providerType 'custom-vllm' must look like remote::name or inline::name" in err
    assert "lls-provider-spec.yaml:10:3" in err


def test_metadata_dir_duplicate_provider_ids_fail(cli, write, tmp_path):
    run = write("run.yaml", RUN)
    metadata(write, "a")
    write("meta/b/lls-provider-spec.yaml", PACKAGE.format(ptype="remote::b", api="inference"))
    write("meta/b/crd-config.yaml", "providerId: a\napi: inference\nimage: img-b\n")
    code, _, err = cli("merge-external", "--run-yaml", run, "--metadata-dir", tmp_path / "meta")
    assert code == 1
    assert "duplicate provider_id 'a' in externalProviders: found in a and b" in err
    assert "images: registry.example.com/org/vllm-provider:1.2, img-b" in err


def test_source_options_are_exclusive_and_required(cli, write):
    run = write("run.yaml", RUN)
    with pytest.raises(SystemExit) as exc:
        cli("merge-external", "--run-yaml", run)
    assert exc.value.code == 2


def test_provider_metadata_api_for_the_preflight(write, tmp_path):
    from lsc_tui.config.operator.merge import provider_metadata

    metadata(write, "custom-vllm")
    meta = provider_metadata(tmp_path / "meta")
    assert meta["custom-vllm"].spec.providerType == "remote::custom-vllm"
    assert meta["custom-vllm"].spec.api == "inference"


def test_preflight_reads_the_same_metadata_directory(cli, write, tmp_path):
    from lsc_tui.preflight.metadata import load_index

    run = write("run.yaml", RUN)
    metadata(write, "custom-vllm")
    out = tmp_path / "merged.yaml"
    assert cli("merge-external", "--run-yaml", run, "--metadata-dir", tmp_path / "meta", "-o", out)[0] == 0
    entry = load(out)["providers"]["inference"][-1]
    found = load_index(str(tmp_path / "meta")).find(entry["provider_id"], entry["module"])
    assert found is not None and not found.error
    assert found.spec["providerType"] == entry["provider_type"]


def test_malformed_provider_section_is_an_error_not_overwritten(cli, write):
    run = write("run.yaml", "providers:\n  inference:\n    vllm: {provider_type: remote::vllm}\n")
    ext = extra(write, "providers:\n  inference:\n  - {provider_id: a, provider_type: remote::a, module: a}\n")
    code, out, err = cli("merge-external", "--run-yaml", run, "--extra-providers", ext)
    assert code == 1 and out == ""
    assert "run.yaml:2:3: error: run-yaml-shape: providers.inference is not a list of providers" in err
