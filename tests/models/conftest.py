from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "models"

MINIMAL_LCORE = {
    "name": "test",
    "service": {"host": "localhost", "port": 8080},
    "llama_stack": {"use_as_library_client": True, "config": {"baseline": "default"}},
    "user_data_collection": {"feedback_enabled": False},
}

MINIMAL_RUN = {
    "version": 2,
    "distro_name": "test",
    "apis": ["inference"],
    "providers": {"inference": [{"provider_id": "openai", "provider_type": "remote::openai",
                                 "config": {"api_key": "${env.OPENAI_API_KEY}"}}]},
}


def load(rel: str):
    return yaml.safe_load((FIXTURES / rel).read_text(encoding="utf-8"))


@pytest.fixture
def lcore():
    return copy.deepcopy(MINIMAL_LCORE)


@pytest.fixture
def run():
    return copy.deepcopy(MINIMAL_RUN)


def by_path(issues):
    return {i.path: i for i in issues}
