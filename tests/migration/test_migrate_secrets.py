"""A literal secret planted in a legacy run.yaml never appears in any output of `migrate`."""

from __future__ import annotations

import json
import stat

import pytest
from mig_helpers import PAIRS

from lsc_tui.config.migration import Migration

# assembled at runtime so no secret-looking literal sits in the repository
SECRET = "".join(["sk-", "proj", "-", "Zq7", "Xv2", "Lm9", "Rt4", "Wp8", "Yk3"])
PG_SECRET = "".join(["hunter", "-", "2", "-", "pg"])


def _plant(tmp_path):
    pair = PAIRS["no-mcp"].copy_to(tmp_path)
    run = tmp_path / pair.run_yaml
    text = run.read_text()
    text = text.replace("api_key: ${env.OPENAI_API_KEY}", f"api_key: {SECRET}")
    text += ("  kvstore:\n    type: postgres\n    host: db\n" f"    password: {PG_SECRET}\n")
    text = text.replace("storage:\n  backends:\n", "storage:\n  backends:\n"
                        f"    pg:\n      type: sql_postgres\n      password: \"{PG_SECRET}\"\n", 1)
    run.write_text(text)
    return pair


@pytest.mark.parametrize("strategy", ["lift", "profile", "smart", None])
def test_planted_secret_never_appears_in_any_output(tmp_path, run_cli, strategy):
    pair = _plant(tmp_path)
    base = ["migrate", pair.config, "--cwd", tmp_path] + (["--strategy", strategy] if strategy else [])
    outputs = []
    for extra in ([], ["--show"], ["--json"], ["--json", "--show"]):
        code, out, err = run_cli(*base, *extra)
        assert code in (0, 1), err
        outputs += [out, err]
    # write to a new file, with --json and without
    for n, extra in enumerate(([], ["--json"])):
        code, out, err = run_cli(*base, "-o", tmp_path / f"out{n}.yaml", "--accept-differences", *extra)
        assert code in (0, 1), err
        outputs += [out, err]
    for text in outputs:
        assert SECRET not in text
        assert PG_SECRET not in text
    joined = "\n".join(outputs)
    assert "literal secret at storage.backends.pg.password" in joined
    assert "literal secret at providers.inference[0].config.api_key" in joined
    # the written files hold what the input held, and only the operator can read them
    for n in (0, 1):
        out = tmp_path / f"out{n}.yaml"
        assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_secrets_are_listed_with_where_they_end_up(tmp_path):
    pair = _plant(tmp_path)
    m = Migration.open(tmp_path / pair.config, cwd=tmp_path)
    listed = {(s.file, ".".join(str(p) for p in s.path)) for s in m.secrets}
    assert ("no-mcp/run.yaml", "providers.inference.0.config.api_key") in listed
    assert ("no-mcp/run.yaml", "storage.backends.pg.password") in listed
    data = json.dumps([s.to_json() for s in m.secrets])
    assert SECRET not in data and PG_SECRET not in data
    # smart does not lift a provider whose key is a literal into api_key_env: it cannot be lossless
    cand, proof = m.trial("smart")
    assert proof.equivalent
    assert "openai" not in cand.lifted
    preview = m.choose("lift") and m.preview_text()
    assert SECRET not in preview and PG_SECRET not in preview
    assert "********" in preview


def test_config_secrets_are_masked_in_the_preview():
    pair = PAIRS["conversation-cache-pg"]
    m = Migration.open(pair.cwd / pair.config, cwd=pair.cwd)
    m.choose("profile")
    literal = m.analysis.config.data["conversation_cache"]["postgres"]["password"]
    assert [".".join(s.path) for s in m.secrets] == ["conversation_cache.postgres.password"]
    assert str(literal) not in m.preview_text()


def test_lifted_secrets_say_where_they_end_up(tmp_path):
    pair = _plant(tmp_path)
    m = Migration.open(tmp_path / pair.config, cwd=tmp_path)
    m.choose("lift")
    moved = {s.path: s.moved_to for s in m.secrets}
    assert moved[("providers", "inference", 0, "config", "api_key")] == (
        "llama_stack", "config", "native_override", "providers", "inference", 0, "config", "api_key")
    m.choose("profile")
    assert all(s.moved_to is None for s in m.secrets)  # they stay in the run.yaml (the profile)
