"""Preflight against a real Llama Stack (0.2.12, the newest that installs on Python 3.11) in
its own virtual environment, with real external provider packages from PyPI.

The environment is built once into ``${LSC_TUI_TEST_CACHE:-~/.cache/lsc-tui}/llama-stack-0.2.12``
and reused. The external provider packages are installed with ``--no-deps``, as the operator's
init containers install pre-bundled wheels: whatever they import that is missing is exactly
what preflight must report.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lsc_tui.preflight.cli import main as preflight_main

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # real virtual environments, real pip

FIXTURES = Path(__file__).parents[1] / "fixtures" / "preflight" / "integration"
LLAMA_STACK = "llama-stack==0.2.12"
EXTERNAL = [
    "ramalama-stack==0.2.3",
    "llama-stack-provider-kft==0.1.0",
    "llama-stack-provider-lmeval==0.1.5",
    "llama-stack-provider-trustyai-fms==0.1.2",
]
READY = ".lsc-tui-ready"
OFFLINE_HINTS = ("No matching distribution", "Could not find a version", "NewConnectionError",
                 "Temporary failure in name resolution", "Network is unreachable",
                 "Failed to establish a new connection", "ProxyError", "ConnectTimeout")


def _python311() -> str | None:
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    return shutil.which("python3.11")


def _pip(py: Path, *args: str) -> None:
    p = subprocess.run([str(py), "-m", "pip", "install", "--disable-pip-version-check", *args],
                       capture_output=True, text=True, timeout=1800)
    if p.returncode != 0:
        out = p.stdout + p.stderr
        if any(h in out for h in OFFLINE_HINTS):
            pytest.skip(f"pip cannot reach the package index for {' '.join(args)}: "
                        + out.strip().splitlines()[-1])
        raise AssertionError(f"pip install {' '.join(args)} failed:\n{out[-4000:]}")


@pytest.fixture(scope="session")
def llama_stack_env() -> Path:
    cache = Path(os.environ.get("LSC_TUI_TEST_CACHE") or "~/.cache/lsc-tui").expanduser()
    env_dir = cache / "llama-stack-0.2.12"
    want = "\n".join([LLAMA_STACK, *EXTERNAL]) + "\n"
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / "llama-stack-0.2.12.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = env_dir / READY
        if ready.exists() and ready.read_text() == want and (env_dir / "bin" / "python").exists():
            return env_dir
        base = _python311()
        if base is None:
            pytest.skip("needs a Python 3.11 interpreter to build the llama-stack 0.2.12 environment")
        shutil.rmtree(env_dir, ignore_errors=True)
        subprocess.run([base, "-m", "venv", str(env_dir)], check=True, timeout=300)
        py = env_dir / "bin" / "python"
        _pip(py, LLAMA_STACK)
        _pip(py, "--no-deps", *EXTERNAL)
        ready.write_text(want)
    return env_dir


def _site(env_dir: Path) -> Path:
    return next((env_dir / "lib").glob("python3.*/site-packages"))


def _run(env_dir, monkeypatch, capsys, *args):
    monkeypatch.setenv("PF_PROVIDERS_D", str(_site(env_dir) / "ramalama_stack" / "providers.d"))
    monkeypatch.delenv("OLLAMA_URL", raising=False)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    capsys.readouterr()
    code = preflight_main(["--python", str(env_dir / "bin" / "python"), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_real_llama_stack_with_real_providers_passes(llama_stack_env, monkeypatch, capsys):
    code, out, err = _run(llama_stack_env, monkeypatch, capsys,
                          "--run-yaml", str(FIXTURES / "run-passing.yaml"),
                          "--metadata-dir", str(FIXTURES / "meta"))
    assert code == 0, out + err
    assert "llama_stack 0.2.12" in out
    assert "[1/3] inference ramalama (remote::ramalama): OK with 1 warning" in out
    assert "[2/3] inference vllm (remote::vllm): OK" in out
    assert "SKIPPED" in out  # ollama, disabled through ${env.OLLAMA_URL:+ollama}
    assert ("Field: provider_type\n"
            "  Metadata (lls-provider-spec.yaml): remote::ramalama-legacy\n"
            "  Runtime (get_provider_spec()): remote::ramalama\n"
            "  Using: remote::ramalama (runtime value)\n") in out
    assert out.rstrip().endswith("All providers validated successfully")


def test_real_llama_stack_reports_each_broken_real_provider(llama_stack_env, monkeypatch, capsys, tmp_path):
    before = set(_site(llama_stack_env).rglob("*"))
    code, out, err = _run(llama_stack_env, monkeypatch, capsys,
                          "--run-yaml", str(FIXTURES / "run-failing.yaml"), "--keep-going", "--json")
    assert code == 1, err
    import json

    events = [json.loads(line) for line in out.splitlines()]
    res = {e["provider_id"]: e for e in events if e["event"] == "result"}
    assert res["ramalama"]["status"] == "ok"
    assert res["ramalama"]["source"] == "external_dir"
    assert res["ramalama"]["spec"]["config_class"] == "ramalama_stack.config.RamalamaImplConfig"
    assert res["vllm-typo"]["error"]["code"] == "unknown_provider_type"
    assert "remote::vllm" in res["vllm-typo"]["error"]["resolution"]
    # three real packages, three different real failures
    assert res["kft"]["error"]["code"] == "missing_dependency"
    assert "kubeflow" in res["kft"]["error"]["reason"]
    assert res["lmeval"]["error"]["code"] == "missing_dependency"
    assert "kubernetes" in res["lmeval"]["error"]["reason"]
    fms = res["trustyai-fms"]["error"]
    assert fms["code"] == "spec_exception"
    assert "adapter_type" in fms["details"]
    assert "written for another Llama Stack version" in fms["resolution"]
    # and Llama Stack 0.2.12 would ignore module: anyway
    for pid in ("trustyai-fms", "kft", "lmeval"):
        assert any(w["code"] == "module_key_unsupported" for w in res[pid]["warnings"])
    summary = events[-1]
    assert (summary["passed"], summary["failed"]) == (1, 4)
    # nothing written into the environment (no bytecode, no caches)
    assert set(_site(llama_stack_env).rglob("*")) == before


def test_real_llama_stack_fail_fast_stops_at_the_typo(llama_stack_env, monkeypatch, capsys):
    code, out, err = _run(llama_stack_env, monkeypatch, capsys,
                          "--run-yaml", str(FIXTURES / "run-failing.yaml"))
    assert code == 1
    assert "[2/5] inference vllm-typo (remote::vlm): FAILED at spec" in out
    assert "Did you mean: remote::vllm" in out
    assert "[3/5]" not in out
    assert "3 not checked" in out


def test_real_llama_stack_check_config_uses_the_real_config_classes(llama_stack_env, monkeypatch, capsys, tmp_path):
    secret = "sk-integration-secret-0123456789"
    monkeypatch.setenv("VLLM_API_TOKEN", secret)
    run_yaml = tmp_path / "run.yaml"
    run_yaml.write_text((FIXTURES / "run-passing.yaml").read_text().replace(
        "      api_token: ${env.VLLM_API_TOKEN:=fake}",
        "      api_token: ${env.VLLM_API_TOKEN:=fake}\n      max_tokens: lots"))
    code, out, err = _run(llama_stack_env, monkeypatch, capsys, "--run-yaml", str(run_yaml), "--check-config")
    assert code == 1
    assert "Reason: Provider config does not validate against VLLMInferenceAdapterConfig" in out
    assert "max_tokens: Input should be a valid integer" in out
    assert "[1/3] inference ramalama (remote::ramalama): OK" in out  # its config is fine
    assert secret not in out + err
