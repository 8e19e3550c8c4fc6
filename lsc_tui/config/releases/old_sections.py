"""The config sections releases before main know and main removed, as those releases check them.

``byok_rag`` (a list of stores with ``rag_type``), ``okp``, ``rag.inline`` / ``rag.tool`` (lists
of source ids), ``reranker`` and (0.5.x) ``customization.allow_verbose_infer``. lsc-tui's models
describe main, which rejects them; for an older target they are checked here instead.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Optional

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    PositiveInt,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from lsc_tui.config.models.issues import ModelIssue
from lsc_tui.config.releases import RELEASE_0_5, Release


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ByokRag(_Strict):
    """One ``byok_rag`` entry (0.5.x to 0.7.0rc1)."""

    rag_id: str = Field(..., min_length=1)
    rag_type: str = Field("inline::faiss", min_length=1)
    embedding_model: str = Field("sentence-transformers/all-mpnet-base-v2", min_length=1)
    embedding_dimension: PositiveInt = 768
    vector_db_id: str = Field(..., min_length=1)
    db_path: Optional[str] = None
    score_multiplier: float = Field(1.0, gt=0)
    host: Optional[str] = None
    port: Optional[str] = None
    db: Optional[str] = None
    user: Optional[str] = None
    password: Optional[str] = None

    @model_validator(mode="after")
    def _faiss_needs_a_path(self) -> "ByokRag":
        if self.rag_type == "inline::faiss" and not self.db_path:
            raise ValueError("db_path is required when rag_type is 'inline::faiss'")
        return self


class ByokRag05(ByokRag):
    """0.5.x: ``db_path`` is required for every store."""

    db_path: str


class Okp(_Strict):
    rhokp_url: Optional[AnyHttpUrl] = None
    offline: bool = True
    chunk_filter_query: Optional[str] = None


class Reranker(_Strict):
    enabled: bool = False
    model: str = "cross-encoder/ms-marco-MiniLM-L6-v2"


@lru_cache(maxsize=None)
def _models(release_key: str) -> dict[str, Any]:
    store = ByokRag05 if release_key == RELEASE_0_5.key else ByokRag
    return {
        "byok_rag": TypeAdapter(list[store]),  # type: ignore[valid-type]
        "okp": TypeAdapter(Okp),
        "rag.inline": TypeAdapter(list[str]),
        "rag.tool": TypeAdapter(list[str]),
        "reranker": TypeAdapter(Reranker),
        "customization.allow_verbose_infer": TypeAdapter(bool),
    }


def section_issues(data: dict[str, Any], release: Release, known: list[tuple[str, Release, str]]) -> list[Any]:
    """Issues in the sections ``release`` knows that main removed (``known``: their keys)."""
    issues = []
    models = _models(release.key)
    for key, _went, _repl in known:
        parts = tuple(key.split("."))
        node: Any = data
        for part in parts:
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        adapter = models.get(key)
        if node is None or adapter is None:
            continue
        try:
            adapter.validate_python(node)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
                issues.append(
                    ModelIssue(
                        parts + loc,
                        "error",
                        "invalid-value",
                        f"`{'.'.join(str(p) for p in parts + loc)}`: {err['msg']} ({release.label})",
                        "Fix the value (see the release's documentation).",
                    )
                )
    return issues
