"""Bad arguments and bad input: exit 2, one line naming the file, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lsc_tui.cli import main as lsc_main


def test_missing_run_yaml_option_exits_2(ws):
    r = ws.preflight()
    assert r.code == 2
    assert "--run-yaml" in r.err


@pytest.mark.parametrize("bad", ["0", "-3", "abc", "nan", "inf"])
def test_bad_timeout_exits_2(ws, bad):
    run_yaml = ws.run_yaml("providers: {}\n")
    r = ws.preflight("--run-yaml", str(run_yaml), f"--timeout={bad}")
    assert r.code == 2
    assert "--timeout" in r.err


def test_unknown_option_exits_2(ws):
    assert ws.preflight("--run-yaml", "x", "--frobnicate").code == 2


def _one_line_error(r, *needles):
    assert r.code == 2
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert "Traceback" not in r.err
    for n in needles:
        assert n in lines[0]


def test_run_yaml_that_does_not_exist(ws):
    path = ws.root / "nope.yaml"
    _one_line_error(ws.preflight("--run-yaml", str(path)), str(path), "no such file")


def test_run_yaml_that_is_not_yaml_names_line_and_column(ws):
    path = ws.run_yaml("providers:\n  inference: [\n    - a: b\n  : : :\n")
    r = ws.preflight("--run-yaml", str(path))
    _one_line_error(r, str(path), "not valid YAML")
    assert f"{path}:" in r.err and r.err.split(str(path) + ":")[1][0].isdigit()


@pytest.mark.parametrize("text,kind", [("- a\n- b\n", "a list"), ("just a string\n", "a str"), ("", "empty")])
def test_run_yaml_that_is_not_a_mapping(ws, text, kind):
    path = ws.run_yaml(text)
    _one_line_error(ws.preflight("--run-yaml", str(path)), str(path), "must be a mapping", kind)


def test_run_yaml_that_is_a_directory(ws):
    r = ws.preflight("--run-yaml", str(ws.root))
    _one_line_error(r, str(ws.root))
    # the fix names the file it wants (it suggested only DIR/lightspeed-stack.yaml for a run.yaml)
    assert "not of its directory" in r.err and "DIR/run.yaml" in r.err, r.err


def test_run_yaml_without_providers_section(ws):
    path = ws.run_yaml("version: 2\nimage_name: x\n")
    _one_line_error(ws.preflight("--run-yaml", str(path)), "no 'providers' section")


def test_providers_that_is_not_a_mapping_names_its_line_and_column(ws):
    path = ws.run_yaml("version: 2\nimage_name: x\nproviders:\n- inference\n")
    _one_line_error(ws.preflight("--run-yaml", str(path)), f"{path}:3:1: 'providers' must be a mapping of API name")


def test_the_located_input_errors_carry_their_finding(tmp_path):
    from lsc_tui.preflight.plan import PreflightInputError, build_plan, load_run_yaml

    path = tmp_path / "run.yaml"
    path.write_text("version: 2\n\nproviders: [a]\n")
    with pytest.raises(PreflightInputError) as exc:
        build_plan(load_run_yaml(path), str(path))
    (f,) = exc.value.findings
    assert (f.file, f.line, f.column, f.code, f.path) == (str(path), 3, 1, "run-yaml-shape", ("providers",))
    assert str(exc.value) == f"{path}:3:1: 'providers' must be a mapping of API name to a list ({f.fix})"
    path.write_text("providers:\n  inference: [\n")
    with pytest.raises(PreflightInputError) as exc:
        load_run_yaml(path)
    (f,) = exc.value.findings
    assert f.line > 0 and str(exc.value).startswith(f"{path}:{f.line}:{f.column}: not valid YAML")
    with pytest.raises(PreflightInputError) as exc:  # about the file as a whole: line 0, with its fix
        build_plan({"version": 2}, str(path))
    (f,) = exc.value.findings
    assert (f.file, f.line, f.code) == (str(path), 0, "run-yaml-shape") and "providers:" in f.fix
    assert str(exc.value) == f"{path}: run.yaml has no 'providers' section ({f.fix})"


def test_python_that_does_not_exist(ws):
    path = ws.run_yaml("providers: {}\n")
    r = ws.preflight("--run-yaml", str(path), "--python", str(ws.root / "nopython"))
    _one_line_error(r, "--python", "no such interpreter")
    assert "(Give --python the path of the server environment's Python" in r.err  # how to fix it


def test_every_input_error_says_how_to_fix_it(ws):
    """Each one-line input error ends with its fix in parentheses, as the reader's errors do."""
    noprov = ws.run_yaml("version: 2\nimage_name: x\n")
    ok = ws.run_yaml("providers: {}\n", name="ok.yaml")
    for args in (
        ("--run-yaml", str(noprov)),
        ("--run-yaml", str(ws.root / "nope.yaml")),
        ("--run-yaml", str(ws.run_yaml("- a\n", name="list.yaml"))),
        ("--run-yaml", str(ok), "--python", str(ws.root / "nopython")),
        ("--run-yaml", str(ok), "--metadata-dir", str(ws.root / "nometa")),
    ):
        r = ws.preflight(*args)
        assert r.code == 2 and r.err.rstrip().endswith(".)"), (args, r.err)
        assert len(r.err.split(" (")) >= 2, r.err


def _json_bad_input(r) -> dict:
    """--json with bad input: exit 2, and stdout is exactly one JSON object, the fatal event."""
    import json

    assert r.code == 2
    lines = r.out.splitlines()
    assert len(lines) == 1, r.out
    ev = json.loads(lines[0])
    assert ev["event"] == "fatal" and ev["exit_code"] == 2
    err = ev["error"]
    assert err["code"] == "bad_input" and err["header"] == "Preflight could not run" and err["resolution"]
    assert ev["text"].startswith("ERROR: Preflight could not run\n") and f"Resolution: {err['resolution']}" in ev["text"]
    assert "Traceback" not in r.out + r.err
    return ev


def test_json_reports_a_missing_run_yaml_as_one_fatal_event(ws):
    path = ws.root / "nope.yaml"
    ev = _json_bad_input(ws.preflight("--json", "--run-yaml", str(path)))
    assert ev["error"]["reason"] == f"{path}: no such file"
    assert ev["error"]["finding"]["code"] == "file-not-found" and ev["error"]["finding"]["file"] == str(path)


def test_json_reports_a_broken_run_yaml_with_its_line_and_column(ws):
    path = ws.run_yaml("providers:\n  inference: [\n")
    ev = _json_bad_input(ws.preflight("--json", "--run-yaml", str(path)))
    f = ev["error"]["finding"]
    assert f["code"] == "yaml-syntax" and f["line"] == 3 and f["column"] == 1
    assert ev["error"]["reason"].startswith(f"{path}:3:1: not valid YAML")


def test_json_reports_an_alias_bomb_in_run_yaml_located(ws):
    lines = ["a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    for prev, name in zip("abcdefghi", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = ws.run_yaml("\n".join(lines) + "\nproviders: {}\n")
    ev = _json_bad_input(ws.preflight("--json", "--run-yaml", str(path)))
    f = ev["error"]["finding"]
    assert f["code"] == "yaml-alias-bomb" and f["line"] > 1 and f["column"] > 0


def test_json_reports_the_other_input_errors_too(ws):
    ev = _json_bad_input(ws.preflight("--json", "--run-yaml", str(ws.run_yaml("version: 2\n"))))
    assert "no 'providers' section" in ev["error"]["reason"] and ev["error"]["finding"]["line"] == 0
    ok = ws.run_yaml("providers: {}\n", name="ok.yaml")
    ev = _json_bad_input(ws.preflight("--json", "--run-yaml", str(ok), "--python", str(ws.root / "nopython")))
    assert "no such interpreter" in ev["error"]["reason"] and ev["error"]["finding"] is None


def test_metadata_dir_that_does_not_exist(ws):
    path = ws.run_yaml("providers: {}\n")
    _one_line_error(ws.preflight("--run-yaml", str(path), "--metadata-dir", str(ws.root / "nometa")),
                    "--metadata-dir")


def test_empty_providers_is_a_success(ws):
    r = ws.preflight("--run-yaml", str(ws.run_yaml("providers: {}\n")))
    assert r.code == 0
    assert "All providers validated successfully" in r.out


def test_malformed_provider_entry_is_a_validation_error_not_a_crash(ws):
    path = ws.run_yaml("""
        providers:
          inference:
          - provider_id: a
          - just-a-string
          safety: {not: a list}
        """)
    r = ws.preflight("--run-yaml", str(path), "--keep-going")
    assert r.code == 1
    assert "(a) has no provider_type" in r.out
    assert "providers.inference[1] is not a mapping" in r.out
    assert "providers.safety must be a list" in r.out


def test_lsc_tui_subcommand_shares_the_options_and_exit_codes(ws, capsys):
    path = ws.run_yaml("providers: {}\n")
    ws.monkeypatch.setenv("PYTHONPATH", str(ws.site))
    assert lsc_main(["preflight", f"--run-yaml={path}", "--keep-going", "--timeout", "5"]) == 0
    assert "All providers validated successfully" in capsys.readouterr().out
    assert lsc_main(["preflight", "--run-yaml", str(ws.root / "missing.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lsc-tui preflight: error:") and "missing.yaml" in err
    with pytest.raises(SystemExit) as exc:
        lsc_main(["preflight"])
    assert exc.value.code == 2


def test_console_entry_point_runs_as_a_module(ws):
    """`python -m lsc_tui.preflight.cli` behaves as the llama-stack-preflight script."""
    path = ws.run_yaml("providers: {}\n")
    p = subprocess.run([sys.executable, "-m", "lsc_tui.preflight.cli", "--run-yaml", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    p = subprocess.run([sys.executable, "-m", "lsc_tui.preflight.cli"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 2


def test_preflight_core_never_imports_textual():
    code = ("import sys, lsc_tui.preflight.cli, lsc_tui.preflight.runner, lsc_tui.preflight.report, "
            "lsc_tui.preflight.metadata, lsc_tui.preflight.probe, lsc_tui.commands.preflight\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
            "print(bad)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"


def test_probe_imports_only_the_standard_library_before_the_provider():
    """Load the probe package as the runner does (every module of it, without running main) and
    list every module it brought in."""
    import json

    from lsc_tui.preflight import process

    code = process.LOADER + (
        "import pkgutil\n"
        "for info in pkgutil.iter_modules(m.__path__):\n"
        "    importlib.import_module(NAME + '.' + info.name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    p = subprocess.run([sys.executable, "-B", "-c", "import json\n" + code, str(process.PROBE_PATH)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    mods = json.loads(p.stdout.strip().splitlines()[-1])
    assert "_lsc_tui_preflight_probe_v1.zygote" in mods  # the whole package was loaded
    startup = _site_startup_modules()
    stdlib = set(sys.stdlib_module_names)
    outside = [m for m in mods if m.split(".")[0] not in stdlib | startup
               and m.split(".")[0] not in ("__main__", "_lsc_tui_preflight_probe_v1")]
    assert outside == []


def test_probe_is_loaded_under_its_own_name_and_shadows_nothing(tmp_path):
    """A provider's own ``config``, ``channel`` or ``sandbox`` module is the one it imports: the
    probe adds nothing to sys.path and imports nothing of lsc-tui in the target."""
    from lsc_tui.preflight import process

    for name in ("config", "channel", "sandbox", "dists", "main"):
        (tmp_path / f"{name}.py").write_text(f"WHO = 'provider {name}'\n")
    code = process.LOADER + (
        "importlib.import_module(NAME + '.main')\n"
        "import config, channel, sandbox, dists, main\n"
        "print([config.WHO, channel.WHO, sandbox.WHO, dists.WHO, main.WHO])\n"
        "print(sorted(k for k in sys.modules if k.startswith('lsc_tui')))\n"
        "print(os.path.dirname(d) in [os.path.abspath(x) for x in sys.path])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    p = subprocess.run([sys.executable, "-B", "-c", code, str(process.PROBE_PATH)], capture_output=True,
                       text=True, timeout=60, env=env, cwd=str(process.PROBE_PATH))
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == [
        "['provider config', 'provider channel', 'provider sandbox', 'provider dists', 'provider main']",
        "[]", "False"]


def _site_startup_modules():
    """Modules the interpreter itself loads at start (site .pth hooks), before any probe code."""
    import json

    p = subprocess.run([sys.executable, "-B", "-c", "import sys, json; print(json.dumps(sorted(sys.modules)))"],
                       capture_output=True, text=True, timeout=60)
    return {m.split(".")[0] for m in json.loads(p.stdout)}


def test_fail_fast_counts_only_what_it_reported(ws):
    path = ws.run_yaml("""
        providers:
          inference:
          - provider_id: a
          - provider_id: b
          - provider_id: c
        """)
    r = ws.preflight("--run-yaml", str(path), "--json")
    assert r.code == 1
    assert len(r.results()) == 1
    summary = r.events()[-1]
    assert (summary["failed"], summary["not_checked"], summary["stopped_early"]) == (1, 2, True)


def _working_python(version: str):
    import glob
    import shutil

    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")))
    for c in candidates:
        if c and subprocess.run([c, "-c", "pass"], capture_output=True).returncode == 0:
            return c
    return None


@pytest.mark.parametrize("version", ["3.9", "3.10", "3.12", "3.13"])
def test_probe_runs_on_other_python_versions(ws, version):
    """The probe is executed by the server's interpreter, which may be any Python 3.9+."""
    py = _working_python(version)
    if py is None:
        pytest.skip(f"no working python{version} on this machine")
    ws.package("custom_vllm_provider", {
        "__init__.py": "async def get_adapter_impl(config, deps):\n    return None\n",
        "config.py": "class C:\n    pass\n",
        "provider.py": "class S:\n    api = 'inference'\n    provider_type = 'remote::custom-vllm'\n"
                       "    config_class = 'custom_vllm_provider.config.C'\n    module = 'custom_vllm_provider'\n\n"
                       "def get_provider_spec():\n    return S()\n",
    })
    path = ws.run_yaml("""
        providers:
          inference:
          - provider_id: custom-vllm
            provider_type: remote::custom-vllm
            module: custom_vllm_provider
        """)
    r = ws.preflight("--run-yaml", str(path), "--python", py, "--json")
    assert r.code == 0, r.out
    target = next(e for e in r.events() if e["event"] == "target")
    assert target["python_version"].startswith(version + ".")
