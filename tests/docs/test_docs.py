"""The docs build without a broken link, the CLI reference is current, screenshots are the app's."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_cli_reference_is_current():
    r = subprocess.run([sys.executable, str(DOCS / "gen_cli.py"), "--check"], capture_output=True, text=True,
                       cwd=ROOT)
    assert r.returncode == 0, r.stderr


def test_docs_screenshots_are_the_approved_snapshots():
    r = subprocess.run([sys.executable, str(DOCS / "gen_screenshots.py"), "--check"], capture_output=True,
                       text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr + r.stdout


def test_every_screenshot_the_docs_show_exists():
    import re

    missing = []
    for page in DOCS.glob("*.md"):
        for ref in re.findall(r"\]\((screenshots/[^)]+)\)", page.read_text()):
            if not (DOCS / ref).is_file():
                missing.append(f"{page.name}: {ref}")
    assert missing == []


@pytest.mark.slow  # the whole site, built
def test_mkdocs_build_strict(tmp_path):
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent))
    if mkdocs is None:
        pytest.skip("mkdocs is not installed (pip install -e '.[test]' installs it)")
    r = subprocess.run([mkdocs, "build", "--strict", "-q", "-d", str(tmp_path / "site")], capture_output=True,
                       text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
