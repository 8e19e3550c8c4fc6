"""What the docs tell a user to type exists, and what they say it prints is what it prints: every
`lsc-tui` command and option the pages show is one the command line has, every environment
variable they name is one lsc-tui (or Textual, which it runs on) reads, and the quickstart's
checks on the demo answer as the page says."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import rich
import textual

from lsc_tui.cli import build_parser
from lsc_tui.preflight.cli import build_parser as preflight_parser

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# cli.md is the parser's own help (test_docs.py keeps it current); the changelog tells history
PAGES = [ROOT / "README.md"] + sorted(p for p in DOCS.glob("*.md") if p.name not in ("cli.md", "changelog.md"))


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {o: a for a in parser._actions for o in a.option_strings}


def _command_lines(text: str) -> list[str]:
    """The commands a page shows: code spans that start with the command (a path before it is
    fine), and the lines of its code blocks that run it."""
    found = [s for s in re.findall(r"`([^`\n]+)`", text) if re.match(r"^(\S*/)?(lsc-tui|llama-stack-preflight)\b", s)]
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        found += [line for line in block.splitlines() if re.search(r"(^|[\s/&;(])(lsc-tui|llama-stack-preflight)\s", line)]
    return found


def check_command(line: str) -> list[str]:
    """What in one documented command line the command line does not have."""
    m = re.search(r"(?:^|[\s/&;(])(lsc-tui|llama-stack-preflight)((?:\s+[^|;&#>)]*)?)", line)
    if m is None:
        return []
    try:
        words = shlex.split(m.group(2))
    except ValueError:  # an unbalanced quote in a shortened example: its words as written
        words = m.group(2).split()
    top = parser = build_parser() if m.group(1) == "lsc-tui" else preflight_parser()
    where = [m.group(1)]
    problems = []
    for i, word in enumerate(words):
        subs = _subcommands(parser)
        if subs and word in subs:
            parser = subs[word]
            where.append(word)
            continue
        if word.startswith("-") and not re.match(r"^-\d", word) and word != "-":
            name = word.split("=")[0]
            options = _options(parser)
            if name not in options and parser is top and m.group(1) == "lsc-tui":
                options = _options(_subcommands(top)["edit"])  # `lsc-tui --color 16`: the editor's
            action = options.get(name)
            if action is None:
                problems.append(f"{' '.join(where)} has no option {name}")
            elif action.choices and "=" not in word and i + 1 < len(words):
                value = words[i + 1]
                # a placeholder (NAME, v1alpha1|v1alpha2) is not a value to check
                if not re.search(r"[A-Z]{2,}|\||\.\.\.", value) and value not in action.choices:
                    problems.append(f"{name} {value}: not one of {sorted(action.choices)}")
        elif subs and i == len(where) - 1 and re.match(r"^[a-z][a-z-]*$", word) and parser is not top:
            problems.append(f"{' '.join(where)} has no command {word}")
    return problems


def test_every_command_and_option_the_docs_show_exists():
    bad = []
    for page in PAGES:
        for line in _command_lines(page.read_text(encoding="utf-8")):
            bad += [f"{page.name}: `{line.strip()}`: {p}" for p in check_command(line)]
    assert bad == []


def test_the_check_finds_what_does_not_exist():
    assert check_command("lsc-tui validate --strict x.yaml") == ["lsc-tui validate has no option --strict"]
    assert check_command("lsc-tui --color 8") == ["--color 8: not one of ['16', '256', 'auto', 'truecolor']"]
    assert check_command("lsc-tui secrets scan --json x") == []
    assert check_command("lsc-tui --color 16 --no-mouse") == []


ENV_NAME = re.compile(r"\b(LSC_TUI_[A-Z0-9_]+|TEXTUAL_[A-Z0-9_]+|ESCDELAY|NO_COLOR|COLORTERM|XDG_[A-Z_]+_HOME)\b")


def _sources() -> str:
    """lsc-tui's source and its tests (LSC_TUI_TEST_CACHE is the suite's), Textual's and Rich's."""
    texts = []
    for base in (ROOT / "lsc_tui", ROOT / "tests", Path(textual.__file__).parent, Path(rich.__file__).parent):
        texts += [p.read_text(encoding="utf-8", errors="replace") for p in base.rglob("*.py")]
    return "\n".join(texts)


def test_every_environment_variable_the_docs_name_is_read():
    source = _sources()
    named = {(page.name, name) for page in PAGES for name in ENV_NAME.findall(page.read_text(encoding="utf-8"))}
    assert ("ssh.md", "ESCDELAY") in named and ("troubleshooting.md", "LSC_TUI_DEBUG") in named
    unread = sorted(f"{page}: {name}" for page, name in named
                    if not re.search(rf"[\"']{name}[\"']", source))
    assert unread == []


def _lsc(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "LSC_TUI_DEBUG")}
    return subprocess.run([sys.executable, "-m", "lsc_tui", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


def test_quickstart_validate_lists_the_demo_secret_apart_and_secrets_scan_fails_on_it(tmp_path):
    """quickstart.md: `validate` "lists literal secrets too, but counts them apart and does not fail
    on them; `secrets scan` is the check that exits 1 on them". validate printed the password's
    line as an `error:` above a summary of "0 errors" and exit 0."""
    ws = tmp_path / "demo"
    shutil.copytree(ROOT / "lsc_tui" / "data" / "demo", ws)
    r = _lsc("validate", "lightspeed-stack.yaml", cwd=ws)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    [secret] = [line for line in lines if "conversation_cache.postgres.password" in line]
    assert re.match(r"lightspeed-stack\.yaml:\d+:\d+: secret: secret-", secret), secret
    assert "0 errors, 1 warning, 1 literal secret" in lines[-1]
    assert not [line for line in lines if ": error: " in line]
    scan = _lsc("secrets", "scan", "lightspeed-stack.yaml", cwd=ws)
    assert scan.returncode == 1 and ": error: secret-" in scan.stdout


def test_a_write_that_fails_says_what_to_do(tmp_path):
    """troubleshooting.md: every message "ends with a `fix:` line". An output lsc-tui could not
    create (a file in /proc, where none can be made) ended with "fix: The file is
    unchanged.", which says nothing to do."""
    ws = tmp_path / "demo"
    shutil.copytree(ROOT / "lsc_tui" / "data" / "demo", ws)
    r = _lsc("synthesize", "lightspeed-stack.yaml", "-o", "/proc/lsc-tui-docs-check.yaml", cwd=ws)
    assert r.returncode == 2
    [fix] = [line for line in r.stderr.splitlines()[-2:] if line.strip().startswith("fix:")]
    assert "Check the path" in fix, r.stderr
