"""The Llama Stack run configuration (run.yaml, config.yaml), 0.2 to 0.8 (OGX).

Llama Stack ignores keys it does not know, so every section here allows extra keys and
the validation API reports them as warnings. Fields follow ``reference/llama-stack.md``
section 1; descriptions are ours. Provider ``config`` blocks are free-form: Llama Stack
checks them only when it instantiates the provider (the preflight does that).
"""

# No `from __future__ import annotations` in the model modules: pydantic would evaluate every
# annotation string again when it builds each class (compile and eval per field, at every start).

from typing import Annotated, Any, Literal, Optional, Union

from annotated_types import Ge, Le
from pydantic import Field, field_validator

from lsc_tui.config.models import checks
from lsc_tui.config.models._types import (
    Bool,
    Env,
    Float,
    Int,
    Lenient,
    NonNegInt,
    PosInt,
)
from lsc_tui.config.models.checks import new_dict, new_list


# -- providers ----------------------------------------------------------------------------------


class Provider(Lenient):
    """One provider of an API."""

    provider_id: Optional[str] = Field(
        ...,
        description="Unique id within the API. Empty, null or `__disabled__` disables the entry; "
        "${env.X:+id} enables it only when X is set.",
    )
    provider_type: str = Field(..., description="`inline::<name>` or `remote::<name>` from the provider registry.")
    config: dict[str, Any] = Field(
        default_factory=new_dict, description="Provider settings, checked by the provider's config class at start-up."
    )
    module: Optional[str] = Field(
        None, description="External provider: pip-installable package (optionally `pkg==version`) that provides it."
    )


# -- storage ------------------------------------------------------------------------------------


class _Backend(Lenient):
    pass


class KvSqliteBackend(_Backend):
    """Key-value store in an SQLite file."""

    type: Literal["kv_sqlite"] = Field(..., description="Backend kind.")
    db_path: str = Field(..., description="Path of the SQLite file.")
    namespace: Optional[str] = Field(None, description="Key prefix.")


class KvRedisBackend(_Backend):
    """Key-value store in Redis."""

    type: Literal["kv_redis"] = Field(..., description="Backend kind.")
    host: str = Field("localhost", description="Redis host.")
    port: Int = Field(6379, description="Redis port.")
    namespace: Optional[str] = Field(None, description="Key prefix.")


class KvPostgresBackend(_Backend):
    """Key-value store in PostgreSQL."""

    type: Literal["kv_postgres"] = Field(..., description="Backend kind.")
    host: Optional[str] = Field("localhost", description="PostgreSQL host.")
    port: Union[Int, str, None] = Field(5432, description="PostgreSQL port.")
    db: Optional[str] = Field("llamastack", description="Database name.")
    user: str = Field(..., description="User name.")
    password: Optional[str] = Field(None, description="Password; use an env reference.")
    ssl_mode: Optional[str] = Field(None, description="libpq sslmode.")
    ca_cert_path: Optional[str] = Field(None, description="CA certificate path.")
    table_name: str = Field("llamastack_kvstore", description="Table holding the keys.")
    namespace: Optional[str] = Field(None, description="Key prefix.")


class KvMongoBackend(_Backend):
    """Key-value store in MongoDB."""

    type: Literal["kv_mongodb"] = Field(..., description="Backend kind.")
    host: str = Field("localhost", description="MongoDB host.")
    port: Int = Field(27017, description="MongoDB port.")
    db: str = Field("llamastack", description="Database name.")
    user: Optional[str] = Field(None, description="User name.")
    password: Optional[str] = Field(None, description="Password; use an env reference.")
    collection_name: str = Field("llamastack_kvstore", description="Collection holding the keys.")
    namespace: Optional[str] = Field(None, description="Key prefix.")


class SqlSqliteBackend(_Backend):
    """SQL store in an SQLite file."""

    type: Literal["sql_sqlite"] = Field(..., description="Backend kind.")
    db_path: str = Field(..., description="Path of the SQLite file.")


class SqlPostgresBackend(_Backend):
    """SQL store in PostgreSQL."""

    type: Literal["sql_postgres"] = Field(..., description="Backend kind.")
    host: str = Field("localhost", description="PostgreSQL host.")
    port: Union[Int, str] = Field(5432, description="PostgreSQL port.")
    db: str = Field("llamastack", description="Database name.")
    user: str = Field(..., description="User name.")
    password: Optional[str] = Field(None, description="Password; use an env reference.")
    pool_size: Int = Field(10, description="Connection pool size.")
    max_overflow: Int = Field(20, description="Connections allowed beyond the pool.")
    pool_recycle: Int = Field(-1, description="Seconds before a connection is recycled (-1: never).")
    pool_pre_ping: Bool = Field(True, description="Test connections before use.")


Backend = Annotated[
    Union[KvSqliteBackend, KvRedisBackend, KvPostgresBackend, KvMongoBackend, SqlSqliteBackend, SqlPostgresBackend],
    Field(discriminator="type"),
]


class KvStoreRef(Lenient):
    """A key-value store: a backend name and a namespace."""

    backend: str = Field(..., description="Name of a kv_* backend under storage.backends.")
    namespace: Optional[str] = Field(None, description="Key prefix inside the backend.")


class SqlStoreRef(Lenient):
    """An SQL store: a backend name and a table."""

    backend: str = Field(..., description="Name of a sql_* backend under storage.backends.")
    table_name: Optional[str] = Field(None, description="Table inside the backend.")
    max_write_queue_size: Optional[PosInt] = Field(None, description="Inference store: queued writes.")
    num_writers: Optional[PosInt] = Field(None, description="Inference store: writer tasks.")


class StoreRef(Lenient):
    """A store whose backend kind depends on the Llama Stack release (key-value or SQL)."""

    backend: str = Field(..., description="Name of a backend under storage.backends.")
    namespace: Optional[str] = Field(None, description="Key prefix (key-value backends).")
    table_name: Optional[str] = Field(None, description="Table (SQL backends).")


class Stores(Lenient):
    """Which backend holds each kind of server data."""

    metadata: Optional[KvStoreRef] = Field(None, description="The registry (key-value); required at start-up.")
    inference: Optional[SqlStoreRef] = Field(None, description="Stored chat completions (SQL).")
    conversations: Optional[SqlStoreRef] = Field(None, description="Conversations (SQL).")
    responses: Optional[SqlStoreRef] = Field(None, description="Responses (SQL).")
    prompts: Optional[StoreRef] = Field(None, description="Prompt templates (key-value or SQL, by release).")
    connectors: Optional[StoreRef] = Field(None, description="Connectors (key-value or SQL, by release).")


class Storage(Lenient):
    """Storage backends (Llama Stack 0.3+) and the stores that use them."""

    backends: dict[str, Backend] = Field(default_factory=new_dict, description="Named backends, by kind (`type`).")
    stores: Stores = Field(default_factory=Stores.model_construct, description="Server stores; each names a backend.")


# -- registered resources ----------------------------------------------------------------------


class ModelInput(Lenient):
    """A model registered at start-up."""

    model_id: str = Field(..., description="Id clients use; entries whose id resolves empty are dropped.")
    provider_id: Optional[str] = Field(None, description="Inference provider serving it.")
    provider_model_id: Optional[str] = Field(None, description="The provider's own name for the model.")
    model_type: Optional[Env[Literal["llm", "embedding", "rerank"]]] = Field("llm", description="Kind of model.")
    metadata: dict[str, Any] = Field(default_factory=new_dict, description="Embedding models need embedding_dimension.")


class ShieldInput(Lenient):
    """A safety shield registered at start-up."""

    shield_id: str = Field(..., description="Id clients use.")
    provider_id: Optional[str] = Field(None, description="Safety provider.")
    provider_shield_id: Optional[str] = Field(None, description="The provider's own name for it.")
    params: Optional[dict[str, Any]] = Field(None, description="Shield parameters.")


class VectorStoreInput(Lenient):
    """A vector store registered at start-up."""

    vector_store_id: str = Field(..., description="Id clients use.")
    embedding_model: str = Field(..., description="Embedding model id.")
    embedding_dimension: Optional[PosInt] = Field(None, description="Dimension of the embeddings.")
    provider_id: Optional[str] = Field(None, description="vector_io provider.")
    provider_vector_store_id: Optional[str] = Field(None, description="The provider's own id for it.")
    vector_store_name: Optional[str] = Field(None, description="Display name.")


class VectorDbInput(Lenient):
    """A vector database (Llama Stack before 0.3)."""

    vector_db_id: str = Field(..., description="Id clients use.")
    embedding_model: str = Field(..., description="Embedding model id.")
    embedding_dimension: Optional[PosInt] = Field(None, description="Dimension of the embeddings.")
    provider_id: Optional[str] = Field(None, description="vector_io provider.")
    provider_vector_db_id: Optional[str] = Field(None, description="The provider's own id for it.")


class DatasetInput(Lenient):
    """A dataset registered at start-up (removed in OGX)."""

    dataset_id: str = Field(..., description="Id clients use.")
    purpose: Optional[str] = Field(None, description="e.g. eval/question-answer.")
    source: Optional[dict[str, Any]] = Field(None, description="{type: uri, uri} or {type: rows, rows}.")
    metadata: dict[str, Any] = Field(default_factory=new_dict, description="Free-form.")
    provider_id: Optional[str] = Field(None, description="datasetio provider.")


class ScoringFnInput(Lenient):
    """A scoring function registered at start-up (removed in OGX)."""

    scoring_fn_id: str = Field(..., description="Id clients use.")
    provider_id: Optional[str] = Field(None, description="scoring provider.")
    provider_scoring_fn_id: Optional[str] = Field(None, description="The provider's own id for it.")
    description: Optional[str] = Field(None, description="What it measures.")
    return_type: Optional[dict[str, Any]] = Field(None, description="Result type.")
    params: Optional[dict[str, Any]] = Field(None, description="Parameters.")


class BenchmarkInput(Lenient):
    """A benchmark registered at start-up (removed in OGX)."""

    benchmark_id: str = Field(..., description="Id clients use.")
    dataset_id: str = Field(..., description="Dataset evaluated.")
    scoring_functions: list[str] = Field(..., description="Scoring function ids.")
    provider_id: Optional[str] = Field(None, description="eval provider.")
    provider_benchmark_id: Optional[str] = Field(None, description="The provider's own id for it.")
    metadata: dict[str, Any] = Field(default_factory=new_dict, description="Free-form.")


class ToolGroupInput(Lenient):
    """A tool group (deprecated in 0.7: built-in groups register themselves)."""

    toolgroup_id: str = Field(..., description="Id, e.g. builtin::websearch.")
    provider_id: str = Field(..., description="tool_runtime provider.")
    args: Optional[dict[str, Any]] = Field(None, description="Arguments.")
    mcp_endpoint: Optional[dict[str, Any]] = Field(None, description="MCP endpoint {uri}.")


class RegisteredResources(Lenient):
    """Resources registered when the server starts (Llama Stack 0.3+)."""

    models: list[ModelInput] = Field(default_factory=new_list, description="Models.")
    shields: list[ShieldInput] = Field(default_factory=new_list, description="Safety shields.")
    vector_stores: list[VectorStoreInput] = Field(default_factory=new_list, description="Vector stores.")
    datasets: list[DatasetInput] = Field(default_factory=new_list, description="Datasets (removed in OGX).")
    scoring_fns: list[ScoringFnInput] = Field(
        default_factory=new_list, description="Scoring functions (removed in OGX)."
    )
    benchmarks: list[BenchmarkInput] = Field(default_factory=new_list, description="Benchmarks (removed in OGX).")
    tool_groups: list[ToolGroupInput] = Field(default_factory=new_list, description="Tool groups (deprecated in 0.7).")


# -- server -------------------------------------------------------------------------------------


class CORSConfig(Lenient):
    """Cross-origin settings."""

    allow_origins: list[str] = Field(default_factory=new_list, description="Allowed origins.")
    allow_origin_regex: Optional[str] = Field(None, description="Regex of allowed origins.")
    allow_methods: list[str] = Field(default_factory=checks.options_only, description="Allowed methods.")
    allow_headers: list[str] = Field(default_factory=new_list, description="Allowed request headers.")
    allow_credentials: Bool = Field(False, description="Allow credentials (not with `*` origins).")
    expose_headers: list[str] = Field(default_factory=new_list, description="Headers exposed to the browser.")
    max_age: NonNegInt = Field(600, description="Preflight cache time in seconds.")


class QuotaConfig(Lenient):
    """Request quotas."""

    kvstore: Optional[KvStoreRef] = Field(None, description="Where counters are kept.")
    anonymous_max_requests: PosInt = Field(100, description="Requests per period without authentication.")
    authenticated_max_requests: PosInt = Field(1000, description="Requests per period per user.")
    period: Env[Literal["day"]] = Field("day", description="Quota period.")


class AuthProviderConfig(Lenient):
    """The authentication provider; `type` selects it (an empty ${env.X:+type} turns auth off)."""

    type: Env[Literal["oauth2_token", "github_token", "custom", "kubernetes", "upstream_header"]] = Field(
        ..., description="Provider kind."
    )
    audience: Optional[str] = Field(None, description="oauth2_token: expected audience.")
    issuer: Optional[str] = Field(None, description="oauth2_token: expected issuer.")
    jwks: Optional[dict[str, Any]] = Field(None, description="oauth2_token: {uri, token, key_recheck_period}.")
    introspection: Optional[dict[str, Any]] = Field(
        None, description="oauth2_token: {url, client_id, client_secret, send_secret_in_body}."
    )
    claims_mapping: Optional[dict[str, str]] = Field(None, description="Claim -> access attribute.")
    verify_tls: Optional[Bool] = Field(None, description="Verify TLS of the auth endpoint.")
    tls_cafile: Optional[str] = Field(None, description="CA bundle for the auth endpoint.")
    github_api_base_url: Optional[str] = Field(None, description="github_token: API base URL.")
    endpoint: Optional[str] = Field(None, description="custom: URL of the auth endpoint.")
    api_server_url: Optional[str] = Field(None, description="kubernetes: API server URL.")
    principal_header: Optional[str] = Field(None, description="upstream_header: header naming the principal.")
    attributes_header: Optional[str] = Field(None, description="upstream_header: header with attributes.")


class AuthConfig(Lenient):
    """Authentication and access policy."""

    provider_config: Optional[AuthProviderConfig] = Field(None, description="The authentication provider.")
    access_policy: list[dict[str, Any]] = Field(default_factory=new_list, description="Resource access rules.")
    route_policy: list[dict[str, Any]] = Field(default_factory=new_list, description="Route access rules.")


class ServerConfig(Lenient):
    """The Llama Stack HTTP server."""

    port: Env[Annotated[int, Ge(1024), Le(65535)]] = Field(8321, description="Listening port (1024-65535).")
    host: Optional[str] = Field(None, description="Listening address (unset: all interfaces).")
    workers: PosInt = Field(1, description="Worker processes.")
    tls_certfile: Optional[str] = Field(None, description="TLS certificate path.")
    tls_keyfile: Optional[str] = Field(None, description="TLS key path.")
    tls_cafile: Optional[str] = Field(None, description="CA bundle for client certificates (mutual TLS).")
    auth: Optional[AuthConfig] = Field(None, description="Authentication.")
    quota: Optional[QuotaConfig] = Field(None, description="Request quotas.")
    cors: Optional[Union[Bool, CORSConfig]] = Field(
        None, description="true for localhost-only CORS, or explicit settings."
    )
    registry_refresh_interval_seconds: Optional[PosInt] = Field(None, description="OGX: registry refresh period.")


# -- vector stores, safety, misc ----------------------------------------------------------------


class ModelRef(Lenient):
    """A model served by a provider."""

    provider_id: str = Field(..., description="Inference provider id.")
    model_id: str = Field(..., description="Model id at that provider.")
    embedding_dimensions: Optional[PosInt] = Field(None, description="Embedding dimension.")


class FileSearchParams(Lenient):
    """Wording of file_search results."""

    header_template: Optional[str] = Field(None, description="Must contain {num_chunks} and 'file_search'.")
    footer_template: Optional[str] = Field(None, description="Text after the results.")


class ContextPromptParams(Lenient):
    """Wording of retrieved context."""

    chunk_annotation_template: Optional[str] = Field(None, description="Per chunk.")
    context_template: Optional[str] = Field(None, description="Around all chunks.")


class AnnotationPromptParams(Lenient):
    """Source citations."""

    enable_annotations: Optional[Bool] = Field(None, description="Ask the model to cite sources.")
    annotation_instruction_template: Optional[str] = Field(None, description="Citation instruction.")
    chunk_annotation_template: Optional[str] = Field(None, description="Per chunk.")


class FileIngestionParams(Lenient):
    """Chunking of ingested files."""

    default_chunk_size_tokens: Optional[PosInt] = Field(None, description="Chunk size (default 512).")
    default_chunk_overlap_tokens: Optional[NonNegInt] = Field(None, description="Overlap (default 128).")


class ChunkRetrievalParams(Lenient):
    """Retrieval tuning."""

    chunk_multiplier: Optional[PosInt] = Field(None, description="Chunks fetched per chunk returned.")
    max_tokens_in_context: Optional[PosInt] = Field(None, description="Token budget of retrieved context.")
    default_reranker_strategy: Optional[str] = Field(None, description="e.g. rrf.")
    rrf_impact_factor: Optional[Float] = Field(None, description="RRF constant.")
    weighted_search_alpha: Optional[Float] = Field(None, description="Vector vs keyword weight.")
    default_search_mode: Optional[Env[Literal["vector", "keyword", "hybrid"]]] = Field(
        None, description="Search mode (OGX)."
    )


class FileBatchParams(Lenient):
    """File batch processing."""

    max_concurrent_files_per_batch: Optional[PosInt] = Field(None, description="Parallel files.")
    file_batch_chunk_size: Optional[PosInt] = Field(None, description="Files per chunk.")
    cleanup_interval_seconds: Optional[PosInt] = Field(None, description="Cleanup period.")


class ContextualRetrievalParams(Lenient):
    """Contextual retrieval."""

    default_timeout_seconds: Optional[PosInt] = Field(None, description="Timeout.")
    default_max_concurrency: Optional[PosInt] = Field(None, description="Parallel requests.")
    max_document_tokens: Optional[PosInt] = Field(None, description="Largest document.")


class RewriteQueryParams(Lenient):
    """Query rewriting before search."""

    model: Optional[ModelRef] = Field(None, description="Model that rewrites.")
    prompt: Optional[str] = Field(None, description="Must contain {query}.")
    max_tokens: Optional[Env[Annotated[int, Ge(1), Le(4096)]]] = Field(None, description="1-4096.")
    temperature: Optional[Env[Annotated[float, Ge(0), Le(2)]]] = Field(None, description="0-2.")


class VectorStoresConfig(Lenient):
    """Defaults for vector stores (0.3+)."""

    default_provider_id: Optional[str] = Field(None, description="vector_io provider used by default.")
    default_embedding_model: Optional[ModelRef] = Field(None, description="Embedding model used by default.")
    default_reranker_model: Optional[ModelRef] = Field(None, description="Reranker model.")
    rewrite_query_params: Optional[RewriteQueryParams] = Field(None, description="Query rewriting.")
    file_search_params: Optional[FileSearchParams] = Field(None, description="file_search wording.")
    context_prompt_params: Optional[ContextPromptParams] = Field(None, description="Context wording.")
    annotation_prompt_params: Optional[AnnotationPromptParams] = Field(None, description="Citations.")
    file_ingestion_params: Optional[FileIngestionParams] = Field(None, description="Chunking.")
    chunk_retrieval_params: Optional[ChunkRetrievalParams] = Field(None, description="Retrieval tuning.")
    file_batch_params: Optional[FileBatchParams] = Field(None, description="Batches.")
    contextual_retrieval_params: Optional[ContextualRetrievalParams] = Field(None, description="Contextual retrieval.")


class SafetyConfig(Lenient):
    """Safety defaults."""

    default_shield_id: Optional[str] = Field(None, description="Shield applied by default; must be registered.")


class ConnectorInput(Lenient):
    """A connector (0.5+)."""

    connector_id: str = Field(..., description="Connector id.")
    url: str = Field(..., description="Connector URL.")
    connector_type: Optional[Env[Literal["mcp"]]] = Field("mcp", description="Kind of connector.")
    server_label: Optional[str] = Field(None, description="Label.")


class LoggingConfig(Lenient):
    """Log levels."""

    category_levels: dict[str, str] = Field(
        default_factory=new_dict, description="Category -> level, e.g. core: debug."
    )


# -- the file -----------------------------------------------------------------------------------


class RunConfig(Lenient):
    """A Llama Stack (OGX) run configuration: run.yaml or config.yaml."""

    version: Union[Int, str] = Field(2, description="Schema version; always 2 since late 2024.")
    distro_name: Optional[str] = Field(None, description="Distribution name (0.5+). This or image_name is required.")
    image_name: Optional[str] = Field(None, description="Distribution name before 0.5 (deprecated: use distro_name).")
    container_image: Optional[str] = Field(None, description="Container image.")
    apis: list[str] = Field(
        default_factory=new_list, description="APIs to serve; empty serves every API that has providers."
    )
    providers: dict[str, list[Provider]] = Field(..., description="Providers per API, e.g. inference: [...].")
    storage: Optional[Storage] = Field(None, description="Storage backends and stores (0.3+).")
    registered_resources: Optional[RegisteredResources] = Field(
        None, description="Models, shields, vector stores ... registered at start-up (0.3+)."
    )
    logging: Optional[LoggingConfig] = Field(None, description="Log levels.")
    server: Optional[ServerConfig] = Field(None, description="HTTP server settings.")
    external_providers_dir: Optional[str] = Field(None, description="Directory of external provider specs.")
    external_apis_dir: Optional[str] = Field(None, description="Directory of external API specs.")
    vector_stores: Optional[VectorStoresConfig] = Field(None, description="Vector store defaults (0.3+).")
    safety: Optional[SafetyConfig] = Field(None, description="Safety defaults (0.4+).")
    connectors: list[ConnectorInput] = Field(default_factory=new_list, description="Connectors (0.5+).")
    # Before 0.3 these lived at the top level; 0.3+ ignores them here.
    models: Optional[list[ModelInput]] = Field(
        None, deprecated=True, description="Before 0.3; now registered_resources.models."
    )
    shields: Optional[list[ShieldInput]] = Field(
        None, deprecated=True, description="Before 0.3; now registered_resources.shields."
    )
    vector_dbs: Optional[list[VectorDbInput]] = Field(
        None, deprecated=True, description="Before 0.3; now registered_resources.vector_stores."
    )
    datasets: Optional[list[DatasetInput]] = Field(
        None, deprecated=True, description="Before 0.3; now registered_resources.datasets."
    )
    scoring_fns: Optional[list[ScoringFnInput]] = Field(
        None, deprecated=True, description="Before 0.3; now registered_resources.scoring_fns."
    )
    benchmarks: Optional[list[BenchmarkInput]] = Field(
        None, deprecated=True, description="Before 0.3; now registered_resources.benchmarks."
    )
    tool_groups: Optional[list[ToolGroupInput]] = Field(
        None, deprecated=True, description="Before 0.3; now registered_resources.tool_groups."
    )
    metadata_store: Optional[dict[str, Any]] = Field(
        None, deprecated=True, description="Before 0.3; now storage.stores.metadata."
    )
    inference_store: Optional[dict[str, Any]] = Field(
        None, deprecated=True, description="Before 0.3; now storage.stores.inference."
    )

    _version_is_int = field_validator("version", mode="after")(checks.run_yaml_version_is_int)


# Keys that newer releases ignore, with where their content went: (parent path without list
# indexes, key) -> (what happened, fix).
MOVED_KEYS = {
    ("registered_resources", "vector_dbs"): (
        "vector databases became vector stores in Llama Stack 0.3",
        "Register them under registered_resources.vector_stores (vector_store_id, embedding_model, "
        "embedding_dimension); an empty list can simply be deleted.",
    ),
    ("", "telemetry"): (
        "removed in Llama Stack 0.4 (OpenTelemetry is configured by environment)",
        "Delete it; set OTEL_* variables instead.",
    ),
    ("", "routing_table"): (
        "the v1 layout; `llama stack run` upgrades it, the server does not",
        "Rewrite it as `providers:` (per API).",
    ),
    ("", "api_providers"): ("the v1 layout", "Rewrite it as `providers:` (per API)."),
    ("", "apis_to_serve"): ("the v1 name of `apis`", "Rename it to `apis`."),
    ("", "conversations_store"): (
        "conversations are stored under storage.stores.conversations",
        "Move it to storage.stores.conversations.",
    ),
    ("", "logging_config"): (
        "read only by the server process for worker logging; the schema field is `logging`",
        "Use `logging: {category_levels: ...}`.",
    ),
}
