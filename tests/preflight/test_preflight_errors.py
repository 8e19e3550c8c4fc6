"""Every error path of seed 001, with provider packages generated in a temporary directory.

Each test writes packages and a run.yaml, runs the real CLI (the probe is a real process in
this interpreter), and checks exit code and output.
"""

from __future__ import annotations

import platform
import struct

import pytest

from pf_templates import INIT_OK, PROVIDER_OK, RUN_ONE, good_provider  # noqa: E402


def block(text: str, start: str) -> str:
    """The block of report text that begins with ``start`` and ends at its Resolution/Note line."""
    i = text.index(start)
    rest = text[i:]
    for end in ("\nResolution: ", "\nNote: "):
        j = rest.find(end)
        if j >= 0:
            k = rest.index("\n", j + 1)
            return rest[: k + 1]
    raise AssertionError(f"no end for block starting {start!r}")


# ----------------------------------------------------------------------------- success


def test_valid_provider_passes_with_seed_success_line(ws):
    good_provider(ws)
    run_yaml = ws.run_yaml(RUN_ONE)
    r = ws.preflight(f"--run-yaml={run_yaml}")
    assert r.code == 0, r.out
    assert "[1/1] inference custom-vllm (remote::custom-vllm): OK" in r.out
    assert r.out.rstrip().endswith("All providers validated successfully")
    assert "ERROR" not in r.out and "WARNING" not in r.out


def test_space_separated_option_form_works_too(ws):
    good_provider(ws)
    run_yaml = ws.run_yaml(RUN_ONE)
    assert ws.preflight("--run-yaml", str(run_yaml)).code == 0


def test_optional_dependency_missing_inside_try_except_passes(ws):
    good_provider(ws, init="""
        try:
            import an_optional_accelerator  # not installed
        except ImportError:
            an_optional_accelerator = None

        async def get_adapter_impl(config, deps):
            return None
        """)
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 0, r.out
    assert "All providers validated successfully" in r.out


# ----------------------------------------------------------------------------- import


def test_not_installed_matches_seed_import_error_example(ws, seed_text):
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    assert block(r.out, "ERROR:") == seed_text("import_error.txt")
    assert "All providers validated successfully" not in r.out


def test_import_error_inside_package_shows_full_traceback_and_missing_dependency(ws):
    good_provider(ws, init="""
        from .client import make_client  # noqa

        async def get_adapter_impl(config, deps):
            return None
        """, **{"client.py": "import vllm_sdk_that_is_missing\n\ndef make_client():\n    pass\n"})
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    text = block(r.out, "ERROR:")
    assert "Reason: Missing dependency 'vllm_sdk_that_is_missing'" in text
    assert "Traceback (most recent call last):" in text
    assert "custom_vllm_provider/client.py\", line 1, in <module>" in text
    assert "ModuleNotFoundError: No module named 'vllm_sdk_that_is_missing'" in text
    assert "Resolution: Install 'vllm_sdk_that_is_missing'" in text
    assert "lsc_tui/preflight" not in text  # no frames of our own machinery (the probe package)


def test_syntax_error_in_provider_is_an_import_error(ws):
    good_provider(ws, provider="def get_provider_spec(:\n    pass\n")
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    assert "Reason: Import failed" in r.out
    assert "SyntaxError" in r.out


def test_package_without_provider_py_is_named_as_such(ws):
    ws.package("custom_vllm_provider", {"__init__.py": INIT_OK})
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    assert "Reason: Module has no provider.py" in r.out
    assert "custom_vllm_provider.provider" in r.out


def test_import_of_removed_llama_stack_path_is_named_as_such(ws):
    # The target has llama_stack (0.7-style, specs in llama_stack_api) but the provider still
    # imports the 0.2.x path llama_stack.providers.datatypes.
    ws.fake_llama_stack()
    ws.package("custom_vllm_provider", {
        "__init__.py": INIT_OK,
        "provider.py": "from llama_stack.providers.datatypes import Api, ProviderSpec\n"
                       "def get_provider_spec():\n    pass\n",
    })
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    assert "Reason: Provider imports a Llama Stack module that this version does not have" in r.out
    assert "llama_stack.providers.datatypes" in r.out
    assert "llama_stack_api" in r.out  # says where the specs live in this environment


def test_provider_for_newer_llama_stack_on_a_target_without_it(ws):
    ws.package("custom_vllm_provider", {"__init__.py": INIT_OK, "provider.py": PROVIDER_OK})
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    assert "Reason: Provider needs llama_stack_api, which this environment does not have" in r.out


# ----------------------------------------------------------------------------- spec


def test_get_provider_spec_raising_is_reported_with_traceback(ws):
    good_provider(ws, provider="""
        def get_provider_spec():
            raise RuntimeError("registry not ready")
        """)
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    text = block(r.out, "ERROR:")
    assert "Reason: get_provider_spec() raised RuntimeError" in text
    assert "RuntimeError: registry not ready" in text
    assert "Provider: custom-vllm" in text and "Module: custom_vllm_provider" in text


def test_get_provider_spec_returning_none(ws):
    good_provider(ws, provider="def get_provider_spec():\n    return None\n")
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    text = block(r.out, "ERROR:")
    assert text.startswith("ERROR: Provider spec validation failed\n")
    assert "Reason: get_provider_spec() returned invalid data" in text
    assert "get_provider_spec() returned None" in text


def test_spec_without_provider_type_matches_seed_example(ws, seed_text):
    good_provider(ws, provider="""
        class Spec:
            api = "inference"
            config_class = "custom_vllm_provider.config.VllmConfig"
            module = "custom_vllm_provider"


        def get_provider_spec():
            return Spec()
        """)
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    assert block(r.out, "ERROR:") == seed_text("spec_validation_error.txt")


def test_spec_of_the_wrong_type(ws):
    good_provider(ws, provider="""
        import llama_stack_api  # the provider has the real classes at hand...

        def get_provider_spec():
            return {"api": "inference", "provider_type": "remote::custom-vllm"}  # ...but returns a dict
        """)
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    assert "Expected a ProviderSpec" in r.out and "got dict" in r.out


def test_list_without_a_matching_provider_type(ws):
    good_provider(ws, provider="""
        from llama_stack_api import Api, RemoteProviderSpec

        def _spec(name):
            return RemoteProviderSpec(api=Api.inference, provider_type="remote::" + name,
                                      adapter_type=name, module="custom_vllm_provider",
                                      config_class="custom_vllm_provider.config.VllmConfig")

        def get_provider_spec():
            return [_spec("vllm-a"), _spec("vllm-b")]
        """)
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    text = block(r.out, "ERROR:")
    assert "Reason: get_provider_spec() returned no spec for provider_type remote::custom-vllm" in text
    assert "remote::vllm-a, remote::vllm-b" in text


def test_list_with_a_matching_provider_type_passes(ws):
    good_provider(ws, provider="""
        from llama_stack_api import Api, RemoteProviderSpec

        def _spec(name):
            return RemoteProviderSpec(api=Api.inference, provider_type="remote::" + name,
                                      adapter_type=name, module="custom_vllm_provider",
                                      config_class="custom_vllm_provider.config.VllmConfig")

        def get_provider_spec():
            return [_spec("other"), _spec("custom-vllm")]
        """)
    assert ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE))).code == 0


def test_config_class_that_does_not_import(ws):
    good_provider(ws, provider=PROVIDER_OK.replace("custom_vllm_provider.config.VllmConfig", "config.VllmConfig"))
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    assert "Reason: Config class config.VllmConfig does not import" in r.out
    assert "top-level module name" in r.out


def test_api_mismatch_with_run_yaml_is_an_error(ws):
    good_provider(ws, provider=PROVIDER_OK.replace("api=Api.inference", "api=Api.safety"))
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    assert "Reason: Provider API does not match its place in run.yaml" in r.out
    assert "api=safety" in r.out


def test_provider_type_differing_from_run_yaml_is_a_warning(ws):
    good_provider(ws, provider=PROVIDER_OK.replace('provider_type="remote::custom-vllm"',
                                                   'provider_type="remote::vllm-v2"'))
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 0
    assert "WARNING: Provider type mismatch (non-blocking)" in r.out


# ----------------------------------------------------------------------------- architecture


def _other_arch():
    """An ELF e_machine that is not this machine's: (e_machine, label)."""
    here = platform.machine().lower()
    if here in ("aarch64", "arm64"):
        return 62, "x86_64"
    return 183, "arm64"


def _here_label():
    here = platform.machine().lower()
    return {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(here, here)


def elf_header(machine: int, bits: int = 2) -> bytes:
    ident = b"\x7fELF" + bytes([bits, 1, 1, 0]) + b"\0" * 8
    return ident + struct.pack("<HHI", 3, machine, 1) + b"\0" * 40


def test_native_extension_for_another_architecture_fails_before_import(ws):
    machine, label = _other_arch()
    tag_arch = {"arm64": "aarch64", "x86_64": "x86_64"}[label]
    # torch, a dependency of the provider, ships a .so built for another machine
    torch = ws.package("torch", {"__init__.py": "raise SystemExit('imported torch!')\n"})
    (torch / "_C.cpython-311-linux-gnu.so").write_bytes(elf_header(machine))
    ws.dist_info("torch", "2.1.0", ["torch"], tag=f"cp311-cp311-linux_{tag_arch}",
                 files=["torch/__init__.py", "torch/_C.cpython-311-linux-gnu.so"])
    good_provider(ws, init="import torch\n" + INIT_OK)
    ws.dist_info("custom-vllm-provider", "1.0", ["custom_vllm_provider"], requires=["torch>=2"],
                 files=["custom_vllm_provider/__init__.py", "custom_vllm_provider/provider.py"])
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    text = block(r.out, "ERROR:")
    here = f"linux/{_here_label()}"
    assert text == (
        "ERROR: Provider validation failed\n\n"
        "Provider: custom-vllm\n"
        "Module: custom_vllm_provider\n"
        "Reason: Native extension architecture mismatch\n\n"
        f"Package: torch-2.1.0-cp311-cp311-linux_{tag_arch}.whl\n"
        f"Expected architecture: {here}\n"
        f"Found architecture: linux/{label}\n"
        "File: torch/_C.cpython-311-linux-gnu.so\n\n"
        f"Resolution: Rebuild provider package with native extensions compiled for {here}, "
        "or use pure Python implementation.\n"
    )
    assert "imported torch!" not in r.out + r.err  # detected before any import
    assert "FAILED at architecture" in r.out


def test_native_file_in_a_plain_directory_package_is_checked_too(ws):
    machine, label = _other_arch()
    pkg = good_provider(ws)
    (pkg / "_speedups.so").write_bytes(elf_header(machine))
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    assert f"Found architecture: linux/{label}" in r.out
    assert "File: custom_vllm_provider/_speedups.so" in r.out


def test_native_extension_for_this_machine_passes(ws):
    here = {"x86_64": 62, "arm64": 183}.get(_here_label())
    if here is None:
        pytest.skip("machine type not covered by this test")
    pkg = good_provider(ws)
    (pkg / "_speedups.so").write_bytes(elf_header(here))
    assert ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE))).code == 0


def test_wheel_tag_for_another_platform_without_readable_binaries(ws):
    good_provider(ws)
    ws.dist_info("custom-vllm-provider", "1.0", ["custom_vllm_provider"],
                 tag="cp311-cp311-macosx_11_0_arm64", files=["custom_vllm_provider/__init__.py"])
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)))
    assert r.code == 1
    assert "Package: custom_vllm_provider-1.0-cp311-cp311-macosx_11_0_arm64.whl" in r.out
    assert "Found architecture: darwin/arm64" in r.out


# ----------------------------------------------------------------------------- metadata


META = """
apiVersion: llamastack.io/v1alpha1
kind: ProviderPackage
metadata:
  name: custom-vllm
  version: 1.0.0
  vendor: example
spec:
  packageName: custom_vllm_provider
  providerType: {ptype}
  api: inference
  wheelPath: /lls-provider/packages/custom_vllm_provider-1.0.0-py3-none-any.whl
"""


def test_metadata_mismatch_is_a_warning_in_seed_format_and_exit_0(ws, seed_text):
    good_provider(ws, provider=PROVIDER_OK.replace('"remote::custom-vllm"', '"remote::vllm-v2"'))
    run_yaml = ws.run_yaml(RUN_ONE.replace("remote::custom-vllm", "remote::vllm-v2"))
    ws.write("meta/custom-vllm/lls-provider-spec.yaml", META.format(ptype="remote::custom-vllm"))
    r = ws.preflight("--run-yaml", str(run_yaml), "--metadata-dir", str(ws.root / "meta"))
    assert r.code == 0, r.out
    assert block(r.out, "WARNING: Provider metadata mismatch") == seed_text("metadata_mismatch_warning.txt")
    assert "All providers validated successfully" in r.out


def test_metadata_matching_runtime_gives_no_warning(ws):
    good_provider(ws)
    ws.write("meta/custom-vllm/lls-provider-spec.yaml", META.format(ptype="remote::custom-vllm"))
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)), "--metadata-dir", str(ws.root / "meta"))
    assert r.code == 0
    assert "WARNING" not in r.out


def test_metadata_found_by_package_name_when_directory_differs(ws):
    good_provider(ws)
    ws.write("meta/some-other-dir/lls-provider-spec.yaml", META.format(ptype="remote::elsewhere"))
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)), "--metadata-dir", str(ws.root / "meta"))
    assert r.code == 0
    assert "Metadata (lls-provider-spec.yaml): remote::elsewhere" in r.out


# ----------------------------------------------------------------------------- fail-fast


RUN_THREE = """
version: 2
providers:
  inference:
  - provider_id: first
    provider_type: remote::first
    module: first_missing_provider
  - provider_id: second
    provider_type: remote::second
    module: second_missing_provider
  safety:
  - provider_id: third
    provider_type: remote::custom-vllm
    module: custom_vllm_provider
"""


def test_fail_fast_stops_at_the_first_error(ws):
    good_provider(ws)
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_THREE)))
    assert r.code == 1
    assert r.out.count("ERROR: Provider validation failed") == 1
    assert "first_missing_provider" in r.out and "second_missing_provider" not in r.out
    assert "2 not checked" in r.out
    assert "use --keep-going" in r.out


def test_keep_going_reports_every_provider(ws):
    good_provider(ws)
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_THREE)), "--keep-going")
    assert r.code == 1
    assert r.out.count("ERROR: Provider validation failed") + r.out.count("ERROR: Provider spec validation failed") == 3
    assert "[3/3] safety third (remote::custom-vllm): FAILED at fields" in r.out
    assert "Summary: 0 passed, 3 failed of 3 providers" in r.out


def test_fail_fast_reports_the_good_providers_before_the_first_error(ws):
    good_provider(ws)
    run_yaml = ws.run_yaml(RUN_ONE + """
  - provider_id: missing
    provider_type: remote::missing
    module: missing_provider_pkg
  - provider_id: again
    provider_type: remote::custom-vllm
    module: custom_vllm_provider
""")
    fast = ws.preflight("--run-yaml", str(run_yaml), "--json")
    assert [(x["provider_id"], x["status"]) for x in fast.results()] == [("custom-vllm", "ok"), ("missing", "error")]
    assert fast.events()[-1]["not_checked"] == 1
    full = ws.preflight("--run-yaml", str(run_yaml), "--json", "--keep-going")
    assert [x["status"] for x in full.results()] == ["ok", "error", "ok"]
    assert fast.code == full.code == 1


# ----------------------------------------------------------------------------- built-in providers


RUN_BUILTIN = """
version: 2
providers:
  inference:
  - provider_id: fake
    provider_type: remote::fake
    config: {}
  - provider_id: typo
    provider_type: remote::fak
    config: {}
  - provider_id: dep
    provider_type: remote::needs-dep
  - provider_id: old
    provider_type: inline::old
  - provider_id: ${env.NOT_SET_FOR_PREFLIGHT_TEST:+disabled}
    provider_type: remote::whatever
"""


def test_builtin_providers_from_the_targets_own_registry(ws):
    ws.fake_llama_stack()
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_BUILTIN)), "--keep-going", "--json")
    assert r.code == 1
    by_id = {x["provider_id"]: x for x in r.results()}
    assert by_id["fake"]["status"] == "ok"
    assert by_id["typo"]["error"]["code"] == "unknown_provider_type"
    assert "Did you mean: remote::fake" in by_id["typo"]["error"]["resolution"]
    assert by_id["dep"]["error"]["code"] == "missing_dependency"
    assert "some_missing_sdk" in by_id["dep"]["error"]["reason"]
    assert by_id["old"]["error"]["code"] == "deprecated_provider"
    skipped = [x for x in r.results() if x["status"] == "skipped"]
    assert len(skipped) == 1 and "disabled" in skipped[0]["skip_reason"]
    target = next(e for e in r.events() if e["event"] == "target")
    assert target["llama_stack"]["family"] == "llama_stack"
    assert target["llama_stack"]["version"] == "0.7.3"
    assert target["llama_stack"]["api_module"] == "llama_stack_api"


def test_builtin_provider_without_llama_stack_says_so(ws):
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_BUILTIN)))
    assert r.code == 1
    assert "Reason: Llama Stack is not installed in the target environment" in r.out
    assert "Resolution: Run preflight with --python" in r.out


def test_provider_described_by_external_providers_dir(ws):
    ws.fake_llama_stack()
    good_provider(ws)
    ws.write("providers.d/remote/inference/custom-vllm.yaml", """
        adapter_type: custom-vllm
        module: custom_vllm_provider
        config_class: custom_vllm_provider.config.VllmConfig
        pip_packages: []
        """)
    ws.write("providers.d/remote/safety/bad.yaml", """
        adapter_type: bad
        provider_type: remote::bad
        module: custom_vllm_provider
        config_class: custom_vllm_provider.config.VllmConfig
        """)
    run_yaml = ws.run_yaml(f"""
        version: 2
        external_providers_dir: {ws.root / 'providers.d'}
        providers:
          inference:
          - provider_id: custom-vllm
            provider_type: remote::custom-vllm
          - provider_id: nofile
            provider_type: remote::nofile
          safety:
          - provider_id: bad
            provider_type: remote::bad
        """)
    r = ws.preflight("--run-yaml", str(run_yaml), "--keep-going", "--json")
    res = {x["provider_id"]: x for x in r.results()}
    assert res["custom-vllm"]["status"] == "ok", res["custom-vllm"]
    assert res["custom-vllm"]["source"] == "external_dir"
    assert res["bad"]["error"]["code"] == "spec_forbidden_key"
    assert res["nofile"]["error"]["code"] == "unknown_provider_type"
    assert "No provider spec file at " + str(ws.root / "providers.d" / "remote" / "inference" / "nofile.yaml") \
        in res["nofile"]["error"]["details"]
    assert r.code == 1


def test_native_code_of_a_spec_pip_package_is_checked_before_the_implementation_imports(ws):
    machine, label = _other_arch()
    fast = ws.package("fastmath", {"__init__.py": "raise SystemExit('imported fastmath!')\n"})
    (fast / "_core.so").write_bytes(elf_header(machine))
    ws.dist_info("fastmath", "3.0", ["fastmath"], tag="cp311-cp311-linux_x86_64",
                 files=["fastmath/__init__.py", "fastmath/_core.so"])
    good_provider(ws, provider=PROVIDER_OK.replace('pip_packages=["httpx"]', 'pip_packages=["fastmath>=3"]'),
                  init="async def get_adapter_impl(config, deps):\n    import fastmath\n")
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)), "--json")
    err = r.results()[0]["error"]
    assert err["code"] == "arch_mismatch"
    assert err["phase"] == "fields"
    assert err["package"] == "fastmath-3.0-cp311-cp311-linux_x86_64.whl"
    assert err["found"] == f"linux/{label}"
    assert "imported fastmath!" not in r.out + r.err


def test_module_version_pin_that_differs_from_the_installed_one_warns(ws):
    good_provider(ws)
    ws.dist_info("custom-vllm-provider", "1.0", ["custom_vllm_provider"])
    run_yaml = ws.run_yaml(RUN_ONE.replace("module: custom_vllm_provider", "module: custom_vllm_provider==2.0"))
    r = ws.preflight("--run-yaml", str(run_yaml))
    assert r.code == 0, r.out
    assert "WARNING: Provider version differs from run.yaml (non-blocking)" in r.out
    assert "Reason: run.yaml names custom_vllm_provider==2.0 but version 1.0 is installed" in r.out
    ok = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE.replace(
        "module: custom_vllm_provider", "module: custom_vllm_provider==1.0"))))
    assert ok.code == 0 and "WARNING" not in ok.out


def test_duplicate_provider_id_in_one_api_is_an_error(ws):
    good_provider(ws)
    run_yaml = ws.run_yaml(RUN_ONE + """
  - provider_id: custom-vllm
    provider_type: remote::custom-vllm
    module: custom_vllm_provider
""")
    r = ws.preflight("--run-yaml", str(run_yaml), "--keep-going")
    assert r.code == 1
    assert "[1/2] inference custom-vllm (remote::custom-vllm): OK" in r.out
    assert "Reason: provider_id custom-vllm is used twice in providers.inference (providers.inference[0] and providers.inference[1])" in r.out


def test_unreadable_or_invalid_metadata_is_a_warning_not_a_failure(ws):
    good_provider(ws)
    ws.write("meta/custom-vllm/lls-provider-spec.yaml", "spec: [unclosed\n")
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)), "--metadata-dir", str(ws.root / "meta"))
    assert r.code == 0
    assert "WARNING: Provider metadata unreadable (non-blocking)" in r.out
    assert "lls-provider-spec.yaml: not valid YAML at line 2, column 1" in r.out
    ws.write("meta/custom-vllm/lls-provider-spec.yaml", "kind: Something\nspec:\n  providerType: remote::custom-vllm\n")
    r = ws.preflight("--run-yaml", str(ws.run_yaml(RUN_ONE)), "--metadata-dir", str(ws.root / "meta"))
    assert r.code == 0
    assert "WARNING: Provider metadata invalid (non-blocking)" in r.out
    assert "apiVersion is not llamastack.io/v1alpha1; kind is not ProviderPackage" in r.out
