"""Which LCORE release a config is for: --lcore, .lsc-tui.yaml, the lightspeed-stack installed in
--python, an image tag in a Kubernetes file, else main as a default (files in, Target out)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from fakevenv import fake_venv  # noqa: E402

from lsc_tui.config.releases import DEFAULT_TARGET, RELEASE_0_5, RELEASE_0_6, RELEASE_0_7RC1, RELEASE_MAIN
from lsc_tui.config.releases.detect import (
    DetectError, detect_target, from_images, installed_version, release_of_version)


@pytest.fixture(scope="module")
def venv_062(tmp_path_factory) -> Path:
    return fake_venv(tmp_path_factory.mktemp("venv062"), "0.6.2")


@pytest.fixture(scope="module")
def venv_none(tmp_path_factory) -> Path:
    return fake_venv(tmp_path_factory.mktemp("venvnone"), None)


def project(tmp_path: Path, text: str) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)  # the repository root: the search stops here
    (tmp_path / ".lsc-tui.yaml").write_text(text)
    cfg = tmp_path / "deploy"
    cfg.mkdir(exist_ok=True)
    return cfg


def test_nothing_names_a_release_main_by_default_and_says_so(tmp_path):
    (tmp_path / ".git").mkdir()
    found = detect_target(start=tmp_path)
    assert found.target == DEFAULT_TARGET and found.target.release is RELEASE_MAIN
    assert found.target.is_default and "default" in found.target.describe()
    assert found.to_json()["release"] == "main" and found.to_json()["source"] == "default"


def test_the_flag_wins_over_everything(tmp_path, venv_062):
    cfg = project(tmp_path, 'lcore: "0.6"\n')
    found = detect_target(lcore="0.7.0rc1", start=cfg, python=str(venv_062))
    assert found.target.release is RELEASE_0_7RC1 and found.target.source == "--lcore"


def test_unknown_flag_value_lists_the_known_releases():
    with pytest.raises(DetectError) as err:
        detect_target(lcore="0.9")
    assert "0.5, 0.6, 0.7.0rc1, main, newer" in str(err.value)


def test_project_file_setting_in_a_parent_directory(tmp_path, venv_062):
    cfg = project(tmp_path, "secrets:\n  allow: []\nlcore: '0.5.3'\n")
    found = detect_target(start=cfg, python=str(venv_062))  # the project file comes before --python
    assert found.target.release is RELEASE_0_5 and found.target.source == ".lsc-tui.yaml"
    assert "from .lsc-tui.yaml" in found.target.describe()


def test_project_file_number_reads_as_the_release(tmp_path):
    # `lcore: 0.6` is a YAML float; it still names 0.6
    found = detect_target(start=project(tmp_path, "lcore: 0.6\n"))
    assert found.target.release is RELEASE_0_6


def test_project_file_bad_value_is_located(tmp_path):
    cfg = project(tmp_path, "secrets: {}\nlcore: '1.2'\n")
    with pytest.raises(DetectError) as err:
        detect_target(start=cfg)
    f = err.value.finding
    assert f.file.endswith(".lsc-tui.yaml") and (f.line, f.column) == (2, 1)
    assert f.message == "`lcore:` names no LCORE release lsc-tui knows" and "main" in f.fix


def test_project_file_not_yaml_is_a_note_and_falls_back(tmp_path):
    cfg = project(tmp_path, "lcore: [0.6\n")
    found = detect_target(start=cfg)
    assert found.target.is_default and "cannot be read" in found.notes[0]


def test_no_project_file_beyond_the_repository_root(tmp_path):
    (tmp_path / ".lsc-tui.yaml").write_text("lcore: '0.6'\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert detect_target(start=repo).target.is_default


def test_installed_lightspeed_stack_in_python(venv_062, tmp_path):
    (tmp_path / ".git").mkdir()
    found = detect_target(start=tmp_path, python=str(venv_062))
    assert found.target.release is RELEASE_0_6
    assert found.target.source == f"python {venv_062} (lightspeed-stack 0.6.2)"


def test_python_without_lightspeed_stack_falls_back_with_a_note(venv_none):
    found = detect_target(python=str(venv_none))
    assert found.target.is_default and found.notes == (f"no lightspeed-stack is installed in {venv_none}",)
    assert installed_version(str(venv_none)) is None


def test_python_does_not_import_the_package(tmp_path):
    # an importable lightspeed_stack that would fail loudly: only the metadata is read
    python = fake_venv(tmp_path / "v", "0.7.0rc1")
    site = next((tmp_path / "v" / "lib").glob("python3*/site-packages"))
    (site / "lightspeed_stack.py").write_text("raise SystemExit('imported!')\n")
    assert installed_version(str(python)) == "0.7.0rc1"


def test_python_missing_or_hanging_is_an_error(tmp_path):
    with pytest.raises(DetectError, match="no such interpreter"):
        detect_target(python=str(tmp_path / "nope"))
    slow = tmp_path / "slow-python"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(DetectError, match=r"no answer within 0\.5 s"):
        detect_target(python=str(slow), timeout=0.5)
    broken = tmp_path / "not-python"
    broken.write_text("#!/bin/sh\necho boom >&2\nexit 3\n")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(DetectError, match=r"could not read its installed packages \(boom\)"):
        detect_target(python=str(broken))


def test_python_unknown_version_is_a_note(tmp_path):
    python = fake_venv(tmp_path / "v", "0.9.1")
    found = detect_target(python=str(python))
    assert found.target.is_default and "0.9.1" in found.notes[0] and "--lcore" in found.notes[0]


@pytest.mark.parametrize("version, key", [("0.6.2", "0.6"), ("v0.6.1", "0.6"), ("0.6.2+rh1", "0.6"),
                                          ("0.6.2-3", "0.6"), ("0.5.3", "0.5"), ("0.7.0rc1", "0.7.0rc1"),
                                          ("latest", None), ("main", None), ("0.8.0", None), ("", None)])
def test_release_of_version(version, key):
    release = release_of_version(version)
    assert (release.key if release else None) == key


CR = {"apiVersion": "llamastack.io/v1alpha1", "kind": "LlamaStackDistribution",
      "spec": {"server": {"distribution": {"image": "quay.io/opendatahub/llama-stack:0.2.22"},
                          "containerSpec": {"name": "llama-stack"}}}}
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment",
              "spec": {"template": {"spec": {"containers": [
                  {"name": "lcore", "image": "quay.io/lightspeed-core/lightspeed-stack:0.6.2@sha256:abc"}]}}}}


def test_image_tag_in_a_kubernetes_file(tmp_path):
    found = detect_target(documents=[CR, DEPLOYMENT])
    assert found.target.release is RELEASE_0_6 and found.target.source == "image tag 0.6.2"
    # the Llama Stack image is not LCORE's: alone it names nothing
    assert detect_target(documents=[CR]).target.is_default


def test_image_tags_that_say_nothing_or_disagree():
    latest = {"image": "registry.example/lightspeed-core/lightspeed-stack-rhel9:latest"}
    target, notes = from_images([latest])
    assert target is None and "latest" not in (n.split(":")[0] for n in notes) and "does not name" in notes[0]
    target, notes = from_images([{"a": {"image": "lightspeed-stack:v0.7.0rc1"}},
                                 {"image": "quay.io/lightspeed-core/lightspeed-stack:0.5.3"}])
    assert target.release is RELEASE_0_7RC1 and "different releases" in notes[0]


def test_project_file_shared_with_the_secret_allowlist(tmp_path):
    from lsc_tui.config.secrets.allowlist import load_allowlist

    cfg = project(tmp_path, "lcore: '0.6'\nsecrets:\n  allow: [3f9a0c1d2b4e5f60]\n")
    allow, source = load_allowlist(cfg)
    assert allow == {"3f9a0c1d2b4e5f60"} and source == tmp_path / ".lsc-tui.yaml"
    assert detect_target(start=cfg).target.release is RELEASE_0_6


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_python_not_executable(tmp_path):
    f = tmp_path / "python"
    f.write_text("")
    os.chmod(f, 0o644)
    with pytest.raises(DetectError, match="not executable"):
        detect_target(python=str(f))
