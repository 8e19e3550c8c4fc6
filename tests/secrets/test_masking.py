"""The masking helper: what a secret looks like wherever values are shown."""

from hypothesis import given, settings
from hypothesis import strategies as st

from lsc_tui.config.masking import (MASK, is_secret_key, mask_inline, mask_string, mask_text, mask_tree,
                                    mask_yaml_text)
from lsc_tui.config.secrets import envfile

from .samples import j, jwt, pem, rnd, true_secrets


def test_secret_keys():
    for key in ("password", "api_key", "apiKey", "clientSecret", "X-Api-Key", "Authorization", "api_token",
                "aws_secret_access_key", "auth_credential", "token", "tenant_id", "client_id", "cookie"):
        assert is_secret_key(key), key
    for key in ("max_tokens", "token_url", "api_key_env", "secretName", "token_path", "key_recheck_period",
                "provider_id", "model", "default_chunk_size_tokens", "tls_key_path", "api_key_config", 3, None):
        assert not is_secret_key(key), key


def test_mask_string_keeps_references():
    assert mask_string("s3cr3t") == MASK
    assert mask_string("${env.PW}") == "${env.PW}"
    assert mask_string("${env.PW:=hunter2x}") == "${env.PW:=" + MASK + "}"
    assert mask_string("${env.OPENAI_API_KEY:+openai}") == "${env.OPENAI_API_KEY:+openai}"


def test_mask_tree_masks_by_key_by_value_and_by_shape():
    token = j("gh", "p_", rnd(36))
    key = rnd(8)
    data = {"providers": [{"config": {"api_key": key, "url": f"postgresql://u:{rnd(10)}@h/db",
                                      "note": f"see {token}", "port": 5432, "password": 1234,
                                      "headers": {"Authorization": "Bearer " + rnd(30)}}}],
            "other": "known-value-123"}
    out = mask_tree(data, {"known-value-123"})
    cfg = out["providers"][0]["config"]
    assert cfg["api_key"] == MASK and cfg["password"] == MASK and cfg["port"] == 5432
    assert cfg["url"] == f"postgresql://u:{MASK}@h/db"
    assert token not in cfg["note"] and MASK in cfg["note"]
    assert cfg["headers"]["Authorization"] == MASK
    assert out["other"] == MASK
    assert data["providers"][0]["config"]["api_key"] == key  # the input is untouched


def test_mask_inline_recognises_every_token_format():
    for label, _key, value in true_secrets():
        if label.startswith(("openai", "anthropic", "aws-key", "google", "github", "gitlab", "slack-bot", "groq",
                             "nvidia", "huggingface", "xai", "replicate", "databricks", "stripe", "jwt", "bearer",
                             "postgres-url", "redis-url", "mongodb-url", "url-query", "ado-connection",
                             "azure-storage", "pem")):
            masked = mask_inline(f"error: bad value {value} in config")
            secret_part = value.split("://")[-1].split("@")[0].split(":")[-1] if "://" in value else value
            for line in secret_part.splitlines():
                if len(line) > 12 and not line.startswith("-----"):
                    assert line not in masked, label
    # references stay readable
    assert mask_inline("postgresql://u:${env.PG_PASSWORD}@h/db") == "postgresql://u:${env.PG_PASSWORD}@h/db"


def test_mask_text_masks_multiline_values_line_by_line():
    key = pem("RSA " + " ".join(["PRIVATE", "KEY"]))
    shown = "\n".join("+    " + line for line in key.splitlines())
    masked = mask_text(shown, {key})
    for line in key.splitlines()[1:-1]:
        assert line not in masked


def test_mask_yaml_text_and_diffs():
    pw, tok = rnd(16), jwt()
    text = (f"db:\n  password: {pw}  # prod\n  user: app\n  api_key: ${{env.K:=def{rnd(6)}}}\n"
            f"tls:\n  private_key: |\n    {rnd(40)}\n    {rnd(40)}\n  ca: /etc/ca.pem\nnote: {tok}\n")
    out = mask_yaml_text(text)
    assert pw not in out and "  # prod" in out and "user: app" in out and "ca: /etc/ca.pem" in out
    assert "api_key: ${env.K:=" + MASK + "}" in out
    assert out.count(MASK) >= 5 and tok not in out
    assert len(out.splitlines()) == len(text.splitlines())
    diff = "--- a\n+++ b\n@@ -1,2 +1,2 @@\n-  password: " + pw + "\n+  password: ${env.PW}\n"
    masked = mask_yaml_text(diff, diff=True)
    assert pw not in masked and "+  password: ${env.PW}" in masked


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), max_size=40))
def test_env_values_round_trip(value):
    line, _notes = envfile.format_line("NAME", value)
    assert envfile.values(line) == {"NAME": value.strip() if envfile.SAFE_VALUE.match(value) else value}


def test_flagged_values_reads_each_scalar_under_its_own_key_once():
    """``flagged_values`` scans a (value, key) pair once however often it repeats (a run.yaml and
    its baseline share most scalars), and still reads a value under each key it appears under."""
    from lsc_tui.config.masking import flagged_values

    word = "correct-horse-battery-staple"
    github = "gh" + "p_" + "a1B2c3D4e5F6g7H8i9J0" * 2  # assembled: this file stays clean for scanners
    old = {"providers": [{"config": {"name": word, "token": github}} for _ in range(3)]}
    new = {"providers": [{"config": {"name": word, "password": word}}], "port": 8080, "api_key": 12345}
    both = flagged_values([old, new])
    assert both == flagged_values(old) | flagged_values(new)
    assert both == {github, word, "12345"}  # the word is a secret under `password`, not under `name`
    assert flagged_values(old) == {github}
