"""A node's YAML for the screen: its own text, secret literals masked, comments and quotes kept."""

from __future__ import annotations

from pathlib import Path

from lsc_tui.config.masked_yaml import masked_node_yaml, node_yaml
from lsc_tui.config.yaml.document import parse_text

TEXT = """\
providers:
  inference:
    - provider_id: vllm  # the main one
      config:
        url: "http://vllm:8000/v1"
        api_token: sk-live-abcdefghijklmnopqrstuvwx1234
        note: plain
    - provider_id: other
      config:
        password: ${env.OTHER_PASSWORD}
"""


def _doc():
    return parse_text(TEXT, "run.yaml", Path("run.yaml"))


def test_a_secret_literal_is_masked_and_everything_else_kept_as_written():
    text, masked = masked_node_yaml(_doc(), ("providers", "inference", 0), set())
    assert masked
    assert "sk-live-abcdefghijklmnopqrstuvwx1234" not in text
    assert "# the main one" in text and '"http://vllm:8000/v1"' in text and "note: plain" in text
    assert text.startswith("provider_id: vllm")  # the node's own text, dedented


def test_a_node_without_secrets_is_its_text_unchanged():
    doc = _doc()
    text, masked = masked_node_yaml(doc, ("providers", "inference", 1), set())
    assert not masked
    assert text == node_yaml(doc, ("providers", "inference", 1))
    assert "${env.OTHER_PASSWORD}" in text


def test_a_value_the_scanner_flagged_is_masked_whatever_its_key():
    doc = _doc()
    path = ("providers", "inference", 0, "config", "note")
    text, masked = masked_node_yaml(doc, ("providers", "inference", 0, "config"), {("run.yaml", path)})
    assert masked and "plain" not in text


def test_a_path_that_is_not_in_the_document_shows_nothing():
    assert masked_node_yaml(_doc(), ("providers", "safety"), set()) == ("", False)
