"""The secrets feature's own files hold nothing that a secret scanner would flag.

Test secrets are assembled at run time; this checks the source text with our token rules and
with keyword-assignment and URL-credential patterns like the common scanners use.
"""

import re
from pathlib import Path

from lsc_tui.config.secrets import rules

ROOT = Path(__file__).resolve().parents[2]
OWN = [*sorted((ROOT / "lsc_tui" / "config" / "secrets").glob("*.py")), ROOT / "lsc_tui" / "config" / "masking.py",
       ROOT / "lsc_tui" / "commands" / "secrets.py", *sorted((ROOT / "tests" / "secrets").glob("*.py")),
       ROOT / "bench" / "secrets_bench.py", ROOT / ".pre-commit-hooks.yaml", ROOT / "docs" / "secrets.md",
       *sorted((ROOT / "tests" / "fixtures" / "secrets").rglob("*.*"))]
_KEYWORD = re.compile(r"""(?i)(?:password|passwd|pwd|secret|api_?key|token)\w*["']?\s*(?:=|:)\s*["']([^"'\s${}<>]{4,})["']""")
_URL = re.compile(r"://[^:/?#@\s{}]+:([^:/?#@\s${}]{3,})@")


def test_own_files_are_clean():
    offenders = []
    for path in OWN:
        if not path.is_file():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in rules.TOKEN_RE.finditer(line):
                rule = rules.TOKEN_RULES[int(m.lastgroup[1:])]
                if rule.validate is None or rule.validate(m.group(0)):
                    offenders.append((path.name, n, rule.id))
            for m in _KEYWORD.finditer(line):
                if not rules.is_placeholder(m.group(1)):
                    offenders.append((path.name, n, "keyword"))
            for m in _URL.finditer(line):
                if not rules.is_placeholder(m.group(1)):
                    offenders.append((path.name, n, "url-credentials"))
    assert offenders == []


def test_the_check_can_fail():
    line = "api_key = '" + "Q" * 3 + "z9" * 5 + "'"
    assert _KEYWORD.search(line)
