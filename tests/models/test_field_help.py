"""Form help comes from the same models that validate."""

from __future__ import annotations

from lsc_tui.config.models.fieldhelp import field_help
from tests.models.conftest import load


def test_typed_field():
    h = field_help("lightspeed-stack", {}, ("service", "port"))
    assert (h.default, h.required, h.accepts_env, h.secret, h.choices) == (8080, False, True, False, ())
    assert "port" in h.description.lower()


def test_choices_and_required():
    h = field_help("lightspeed-stack", {"inference": {"providers": [{}]}}, ("inference", "providers", 0, "type"))
    assert h.required and "vllm_rhaiis" in h.choices and h.accepts_env
    b = field_help("lightspeed-stack", {}, ("llama_stack", "config", "baseline"))
    assert b.choices == ("default", "empty", "byo-llm") and b.default == "default"


def test_secret_and_section_keys():
    assert field_help("lightspeed-stack", {}, ("llama_stack", "api_key")).secret
    section = field_help("lightspeed-stack", {}, ("llama_stack", "config"))
    assert set(section.keys) == {"baseline", "profile", "native_override"}
    assert field_help("lightspeed-stack", {}, ("llama_stack", "library_client_config_path")).deprecated


def test_discriminated_entries_follow_the_data():
    data = load("lightspeed/e2e-library.yaml")
    h = field_help("lightspeed-stack", data, ("shields", 0, "config"))
    assert "rules" in h.keys  # the corpus shield is a redaction shield


def test_run_yaml_and_unknown_paths():
    h = field_help("run-yaml", {}, ("server", "port"))
    assert h.default == 8321 and h.accepts_env
    assert field_help("run-yaml", {}, ("server", "colour")) is None
    assert field_help("lightspeed-stack", {}, ("inference", "providers", 0, "extra", "url")) is None
    assert field_help("lightspeed-stack", {}, ()) is None
