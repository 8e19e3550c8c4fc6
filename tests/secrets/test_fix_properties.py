"""Property: whatever YAML style holds a secret, the fix replaces exactly it and nothing else."""

from __future__ import annotations

import difflib
import re
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lsc_tui.config import envref
from lsc_tui.config.secrets import apply_plan, plan_fix, scan_documents
from lsc_tui.config.secrets import envfile
from lsc_tui.config.yaml.document import load_document

SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
PUNCT = "-_.~+/=:@%!*?"


def _render(style: str, value: str) -> str:
    if style == "plain":
        return value
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    if style == "double":
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if style == "double-escaped":
        return '"' + "".join(f"\\x{ord(c):02x}" if c in "aeiou" else c for c in value) + '"'
    raise AssertionError(style)


@st.composite
def cases(draw):
    core = draw(st.text(alphabet=SAFE, min_size=8, max_size=24).filter(
        lambda c: len(set(c)) >= 5 and any(ch.isdigit() for ch in c) and any(ch.isalpha() for ch in c)))
    extra = draw(st.text(alphabet=PUNCT, max_size=3))
    value = core[:4] + extra + core[4:]
    if "://" in value:  # a URL under a secret key is a reference to a service, not a secret
        value = value.replace("://", ":")
    value = value.replace("::", ":")  # nor is a provider type (remote::vllm)
    if re.fullmatch(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+", value):
        value = value.replace(".", "-")  # nor a dotted lower-case name: a field's path (user.password)
    style = draw(st.sampled_from(["plain", "single", "double", "double-escaped", "literal", "folded",
                                  "flow", "anchor", "comment"]))
    if style == "plain" and (value[0] in "-?:,[]{}#&*!|>'\"%@`" or ": " in value or value.endswith(":")):
        style = "single"
    return value, style


def _document(value: str, style: str) -> str:
    head = "version: 2\nproviders:\n  inference:\n  - provider_id: vllm\n    provider_type: remote::vllm\n    config:\n"
    tail = "      url: http://vllm:8000/v1   # keep me\n      max_tokens: 4096\nserver:\n  port: 8321\n"
    if style in ("plain", "single", "double", "double-escaped"):
        body = f"      api_token: {_render(style, value)}\n"
    elif style == "literal":
        body = f"      api_token: |-\n        {value}\n"
    elif style == "folded":
        body = f"      api_token: >\n        {value}\n\n"
    elif style == "flow":
        body = f"      headers: {{X-Team: core, X-Api-Key: {_render('single', value)}}}\n"
    elif style == "anchor":
        body = f"      api_token: &tok {_render('single', value)}\n      again: *tok\n"
    else:
        body = f"      api_token: {_render('single', value)}  # pasted by hand\n"
    return head + body + tail


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_fix_replaces_exactly_the_secret(case):
    value, style = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.yaml"
        text = _document(value, style)
        path.write_text(text)
        old_data = yaml.safe_load(text)
        doc = load_document(path)
        result = scan_documents([doc])
        assert len(result.findings) == 1, [f.rule for f in result.findings]
        f = result.findings[0]
        plan = plan_fix([doc], result=result, env_file=Path(tmp) / ".env")
        assert plan.ok, plan.errors
        assert value not in plan.diff and value not in plan.to_text()
        apply_plan(plan)
        new = path.read_text()
        sm = difflib.SequenceMatcher(None, text, new, autojunk=False)
        for tag, i1, i2, _j1, _j2 in sm.get_opcodes():
            if tag != "equal":
                assert f.node_start <= i1 and i2 <= f.node_end
        env = envfile.read(Path(tmp) / ".env")
        expected = old_data["providers"]["inference"][0]["config"]
        secret_now = expected.get("api_token") or expected["headers"]["X-Api-Key"]
        if style == "folded":
            secret_now = secret_now.rstrip("\n")  # the newline the block adds is dropped (with a warning)
            assert any("trailing newline" in w for w in plan.warnings)
        assert env == {f.suggested_env: str(secret_now)}  # a YAML number is stored as the server reads it
        if isinstance(secret_now, str) and envref.coerce("${x}", secret_now) != secret_now:
            # Llama Stack turns a substituted "1234" into 1234: the plan says so
            assert any("reads this value as a number" in w for w in plan.warnings)
        elif style != "folded":
            assert envref.resolve(yaml.safe_load(new), env) == envref.resolve(old_data, env)
        assert "# keep me" in new
