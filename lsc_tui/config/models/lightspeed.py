"""The lightspeed-stack.yaml schema (LCORE's configuration file), legacy and unified.

Field names, types, defaults and allowed words follow LCORE's own configuration model at
the revision described in ``reference/lcore.md``; the descriptions are ours. Every section
rejects unknown keys, as LCORE does. Values that LCORE checks against the filesystem (file
paths, writable directories) are plain strings here: the workspace loader checks them.
"""

# No `from __future__ import annotations` in the model modules: pydantic would evaluate every
# annotation string again when it builds each class (compile and eval per field, at every start).

from typing import Annotated, Any, Literal, Optional, Union, get_args

from annotated_types import Gt, Le
from pydantic import Field, SecretStr, field_validator, model_validator

from lsc_tui.config.models import checks
from lsc_tui.config.provider_types import INFERENCE_KINDS, VECTOR_KINDS, describe_inference_kinds
from lsc_tui.config.models._types import (
    ID_PATTERN,
    Bool,
    Env,
    FilePathStr,
    HttpUrl,
    NonNegInt,
    Port,
    PosInt,
    Ratio,
    Strict,
)
from lsc_tui.config.models.checks import new_dict, new_list

Secret = SecretStr

AuthModule = Literal["noop", "noop-with-token", "k8s", "jwk-token", "api-key-token", "rh-identity", "trusted-proxy"]
Action = Literal[
    "admin",
    "list_other_conversations",
    "read_other_conversations",
    "query_other_conversations",
    "delete_other_conversations",
    "query",
    "responses",
    "streaming_query",
    "get_conversation",
    "list_conversations",
    "delete_conversation",
    "update_conversation",
    "feedback",
    "get_models",
    "get_tools",
    "get_skills",
    "get_shields",
    "list_providers",
    "get_provider",
    "list_rags",
    "get_rag",
    "get_metrics",
    "get_config",
    "info",
    "model_override",
    "rlsapi_v1_infer",
    "register_mcp_server",
    "list_mcp_servers",
    "delete_mcp_server",
    "a2a_agent_card",
    "a2a_task_execution",
    "a2a_message",
    "a2a_jsonrpc",
    "manage_vector_stores",
    "read_vector_stores",
    "manage_files",
    "manage_prompts",
    "read_prompts",
    "manage_saved_prompts",
]
AUTH_MODULES: tuple[str, ...] = get_args(AuthModule)
ACTIONS: tuple[str, ...] = get_args(Action)


# -- service ---------------------------------------------------------------------------------


class TLSConfiguration(Strict):
    """TLS for the LCORE HTTP endpoint. All three are paths to files."""

    tls_certificate_path: Optional[FilePathStr] = Field(
        None, description="Path to the PEM certificate served over HTTPS."
    )
    tls_key_path: Optional[FilePathStr] = Field(None, description="Path to the certificate's private key (PEM).")
    tls_key_password: Optional[FilePathStr] = Field(
        None, description="Path to a file holding the password of the private key (a path, not the password)."
    )


class CORSConfiguration(Strict):
    """Cross-origin request settings for browsers calling the service."""

    allow_origins: list[str] = Field(["*"], description="Origins allowed to call the service; `*` allows any.")
    allow_credentials: Bool = Field(
        False, description="Allow cookies and credentials on cross-origin requests. Not allowed with origin `*`."
    )
    allow_methods: list[str] = Field(["*"], description="HTTP methods allowed cross-origin; `*` allows all.")
    allow_headers: list[str] = Field(["*"], description="Request headers allowed cross-origin; `*` allows all.")

    _credentials_need_explicit_origins = model_validator(mode="after")(checks.cors_credentials_need_explicit_origins)


class ServiceConfiguration(Strict):
    """The LCORE REST service: where it listens and how it runs."""

    host: str = Field("localhost", description="Interface or host name to listen on, e.g. 0.0.0.0.")
    port: Port = Field(8080, description="TCP port to listen on (1-65535).")
    base_url: Optional[str] = Field(None, description="Externally reachable base URL of the service (needed for A2A).")
    auth_enabled: Bool = Field(False, description="Turn the authentication subsystem on.")
    workers: PosInt = Field(1, description="Number of Uvicorn worker processes.")
    color_log: Bool = Field(True, description="Colour the log output.")
    access_log: Bool = Field(True, description="Log every HTTP request.")
    tls_config: TLSConfiguration = Field(
        default_factory=TLSConfiguration.model_construct, description="HTTPS settings."
    )
    root_path: str = Field(
        "",
        description="ASGI root path when served under a sub-path behind a proxy: empty, or `/prefix` "
        "(leading slash, no trailing slash).",
    )
    cors: CORSConfiguration = Field(
        default_factory=CORSConfiguration.model_construct, description="Cross-origin (CORS) settings."
    )

    _root_path_shape = field_validator("root_path")(checks.root_path_shape)


# -- Llama Stack ------------------------------------------------------------------------------


class UnifiedLlamaStackConfig(Strict):
    """Unified mode: how LCORE builds the Llama Stack run.yaml it starts."""

    baseline: Env[Literal["default", "empty", "byo-llm"]] = Field(
        "default",
        description="Starting point of the synthesized run.yaml: `default` (LCORE's built-in run.yaml), "
        "`byo-llm` (the built-in one without its OpenAI provider) or `empty` ({}). Ignored when `profile` is set.",
    )
    profile: Optional[str] = Field(
        None,
        description="Path to a run.yaml-shaped file used as the starting point instead of the baseline. "
        "Relative paths are relative to this lightspeed-stack.yaml's directory.",
    )
    native_override: dict[str, Any] = Field(
        default_factory=new_dict,
        description="Raw Llama Stack run.yaml content merged over the result last: mappings "
        "merge key by key, lists and scalars replace. Env references here are left for Llama Stack to resolve.",
    )


class LlamaStackConfiguration(Strict):
    """How LCORE reaches Llama Stack: in-process (library client) or over HTTP (server)."""

    url: Optional[HttpUrl] = Field(
        None,
        description="URL of a separately run Llama Stack server (http or https). Used when "
        "use_as_library_client is false.",
    )
    api_key: Optional[Secret] = Field(
        None,
        description="API key for the Llama Stack server. Prefer an env reference such as ${env.LLAMA_STACK_API_KEY}.",
    )
    use_as_library_client: Optional[Bool] = Field(
        None, description="true: run Llama Stack inside the LCORE process (library mode); false: call `url`."
    )
    library_client_config_path: Optional[str] = Field(
        None,
        deprecated=True,
        description="DEPRECATED (legacy two-file setup, removed in LCORE 0.7): path of an "
        "external run.yaml, relative to the directory LCORE starts in. Use `config` or root `inference.providers` "
        "instead (`lsc-tui migrate`).",
    )
    timeout: PosInt = Field(180, description="Timeout in seconds for each request to Llama Stack.")
    max_retries: PosInt = Field(5, description="Connection attempts at start-up before giving up.")
    retry_delay: PosInt = Field(2, description="Seconds between start-up connection attempts.")
    allow_degraded_mode: Optional[Bool] = Field(
        False, description="Server mode only: start even when Llama Stack cannot be reached."
    )
    config: Optional[UnifiedLlamaStackConfig] = Field(
        None,
        description="Unified mode: LCORE synthesizes run.yaml from a baseline or profile, the root "
        "`inference.providers`, and `native_override`. Cannot be combined with library_client_config_path.",
    )


# -- user data, database ------------------------------------------------------------------------


class UserDataCollection(Strict):
    """Collection of user feedback and conversation transcripts."""

    feedback_enabled: Bool = Field(False, description="Store user feedback for later analysis.")
    feedback_storage: Optional[str] = Field(
        None, description="Directory for feedback files. Required when feedback_enabled is true."
    )
    transcripts_enabled: Bool = Field(False, description="Store conversation transcripts for later analysis.")
    transcripts_storage: Optional[str] = Field(
        None, description="Directory for transcripts. Required when transcripts_enabled is true."
    )

    _storage_when_enabled = model_validator(mode="after")(checks.storage_when_enabled)


class SQLiteDatabaseConfiguration(Strict):
    """An SQLite database file."""

    db_path: str = Field(..., description="Path of the SQLite database file.")


class InMemoryCacheConfig(Strict):
    """An in-process cache."""

    max_entries: PosInt = Field(..., description="Largest number of entries kept in memory.")


class PostgreSQLDatabaseConfiguration(Strict):
    """A PostgreSQL connection."""

    host: str = Field("localhost", description="Server host name or socket directory.")
    port: Port = Field(5432, description="Server port (1-65535).")
    db: str = Field(..., description="Database name.")
    user: str = Field(..., description="User name.")
    password: Secret = Field(..., description="Password. Use an env reference such as ${env.POSTGRES_PASSWORD}.")
    namespace: Optional[str] = Field("public", description="Schema (namespace) holding the tables.")
    ssl_mode: Env[Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]] = Field(
        "prefer", description="libpq sslmode."
    )
    gss_encmode: Env[Literal["disable", "prefer", "require"]] = Field(
        "prefer", description="libpq gssencmode: whether to negotiate GSS encryption."
    )
    ca_cert_path: Optional[FilePathStr] = Field(
        None, description="Path to the CA certificate used to verify the server."
    )


class DatabaseConfiguration(Strict):
    """LCORE's own database (conversation ids and other runtime data). Set at most one backend;
    with neither, LCORE uses SQLite at /tmp/lightspeed-stack.db."""

    sqlite: Optional[SQLiteDatabaseConfiguration] = Field(None, description="Use an SQLite file.")
    postgres: Optional[PostgreSQLDatabaseConfiguration] = Field(None, description="Use PostgreSQL.")

    _one_backend = model_validator(mode="after")(checks.one_database_backend)


# -- MCP ----------------------------------------------------------------------------------------


class ApprovalFilter(Strict):
    """Per-tool approval lists."""

    always: list[str] = Field(default_factory=new_list, description="Tools that always need human approval.")
    never: list[str] = Field(default_factory=new_list, description="Tools that never need approval.")

    _disjoint = model_validator(mode="after")(checks.approval_lists_disjoint)


class ModelContextProtocolServer(Strict):
    """One MCP server whose tools the agents may call."""

    name: str = Field(..., description="Unique name of the server.")
    provider_id: str = Field("model-context-protocol", description="Llama Stack tool_runtime provider id to use.")
    url: str = Field(..., description="URL of the MCP server.")
    authorization_headers: dict[str, str] = Field(
        default_factory=new_dict,
        description="Header name -> path of a file holding its value, or one of `kubernetes` "
        "(the caller's Kubernetes token), `client` (a token the client sends) or `oauth`.",
    )
    headers: list[str] = Field(
        default_factory=new_list,
        description="Names of request headers forwarded from the incoming request to this "
        "server (case-insensitive, no duplicates).",
    )
    require_approval: Union[Env[Literal["always", "never"]], ApprovalFilter] = Field(
        "never", description="When tool calls need human approval: `always`, `never`, or per-tool lists."
    )
    timeout: Optional[PosInt] = Field(None, description="Request timeout in seconds (reserved for future use).")

    _header_names = field_validator("headers")(checks.header_names)


# -- authentication and authorization --------------------------------------------------------


class JwtRoleRule(Strict):
    """Give roles to a user when a JSONPath over the JWT claims matches."""

    jsonpath: str = Field(..., description="JSONPath evaluated against the JWT payload, e.g. $.groups[*].")
    operator: Env[Literal["equals", "contains", "in", "match"]] = Field(..., description="How to compare.")
    negate: Bool = Field(False, description="Invert the match.")
    value: Any = Field(..., description="Value compared with the JSONPath result (a regex for `match`).")
    roles: list[str] = Field(..., description="Roles granted when the rule matches (unique, not `*`).")

    _roles_and_regex = model_validator(mode="after")(checks.jwt_roles_and_regex)


class AccessRule(Strict):
    """Actions a role may perform."""

    role: str = Field(..., description="Role name.")
    actions: list[Env[Action]] = Field(..., description="Actions the role is allowed to perform.")


class AuthorizationConfiguration(Strict):
    """Role-based access control."""

    access_rules: list[AccessRule] = Field(default_factory=new_list, description="Which role may do what.")


class JwtConfiguration(Strict):
    """Which JWT claims identify the user, and how roles are derived."""

    user_id_claim: str = Field("user_id", description="Claim holding the unique user id.")
    username_claim: str = Field("username", description="Claim holding the display user name.")
    role_rules: list[JwtRoleRule] = Field(default_factory=new_list, description="Rules that map claims to roles.")


class JwkConfiguration(Strict):
    """JWT validation against a JSON Web Key set."""

    url: HttpUrl = Field(..., description="URL of the JWK set used to verify tokens.")
    jwt_configuration: JwtConfiguration = Field(
        default_factory=JwtConfiguration.model_construct, description="Claim mapping."
    )


class RHIdentityConfiguration(Strict):
    """Red Hat identity header (x-rh-identity) authentication."""

    required_entitlements: Optional[list[str]] = Field(None, description="Entitlements every caller must have.")
    max_header_size: PosInt = Field(8192, description="Largest accepted base64 header, in bytes.")


class APIKeyTokenConfiguration(Strict):
    """Static API key authentication."""

    api_key: Secret = Field(..., min_length=1, description="The key clients must send. Use an env reference.")


class TrustedProxyServiceAccount(Strict):
    """A Kubernetes ServiceAccount allowed to act as a trusted proxy."""

    namespace: str = Field(..., description="Namespace of the ServiceAccount.")
    name: str = Field(..., description="Name of the ServiceAccount.")


class TrustedProxyConfiguration(Strict):
    """Authentication by a user header set by a trusted proxy."""

    user_header: str = Field("X-Forwarded-User", description="Header holding the forwarded user identity.")
    allowed_service_accounts: Optional[list[TrustedProxyServiceAccount]] = Field(
        None, description="ServiceAccounts allowed to act as the proxy; empty or absent allows any."
    )


class AuthenticationConfiguration(Strict):
    """How callers are authenticated. Some modules need their own block."""

    module: Env[AuthModule] = Field(
        "noop",
        description="Authentication module. jwk-token needs jwk_config, api-key-token needs "
        "api_key_config, rh-identity needs rh_identity_config, trusted-proxy needs trusted_proxy_config.",
    )
    skip_tls_verification: Bool = Field(False, description="Do not verify TLS certificates of auth endpoints.")
    skip_for_health_probes: Bool = Field(
        False, description="Let readiness and liveness probes through unauthenticated."
    )
    skip_for_metrics: Bool = Field(False, description="Let /metrics through unauthenticated.")
    k8s_cluster_api: Optional[HttpUrl] = Field(None, description="Kubernetes API URL (k8s module).")
    k8s_ca_cert_path: Optional[FilePathStr] = Field(
        None, description="Path to the Kubernetes CA certificate (k8s module)."
    )
    jwk_config: Optional[JwkConfiguration] = Field(None, description="Settings of the jwk-token module.")
    api_key_config: Optional[APIKeyTokenConfiguration] = Field(
        None, description="Settings of the api-key-token module."
    )
    rh_identity_config: Optional[RHIdentityConfiguration] = Field(
        None, description="Settings of the rh-identity module."
    )
    trusted_proxy_config: Optional[TrustedProxyConfiguration] = Field(
        None, description="Settings of the trusted-proxy module."
    )

    _module_block = model_validator(mode="after")(checks.auth_module_block)


# -- customization, inference ------------------------------------------------------------------


class Customization(Strict):
    """Customizing prompts and behaviour."""

    profile_path: Optional[str] = Field(None, description="Path to a Python custom profile (system prompts).")
    disable_query_system_prompt: Bool = Field(False, description="Ignore system prompts sent with queries.")
    disable_shield_ids_override: Bool = Field(False, description="Ignore shield_ids sent with queries.")
    system_prompt_path: Optional[FilePathStr] = Field(None, description="Path to a file holding the system prompt.")
    system_prompt: Optional[str] = Field(None, description="The system prompt itself.")
    agent_card_path: Optional[FilePathStr] = Field(None, description="Path to the A2A agent card (YAML).")
    agent_card_config: Optional[dict[str, Any]] = Field(None, description="The A2A agent card inline.")


class RlsapiV1Configuration(Strict):
    """The rlsapi v1 /infer endpoint (RHEL Lightspeed command line assistant)."""

    allow_verbose_infer: Bool = Field(False, description="Allow /v1/infer to return extra metadata on request.")
    quota_subject: Optional[Env[Literal["user_id", "org_id", "system_id"]]] = Field(
        None, description="Identity used as the quota subject; org_id and system_id need rh-identity auth."
    )


class UnifiedInferenceProvider(Strict):
    """A high-level inference provider: LCORE turns it into a Llama Stack `providers.inference` entry."""

    # the kinds come from the provider-type table (one list for synthesis, the models and the editor),
    # so the checker cannot read them as a Literal
    type: Env[Literal[INFERENCE_KINDS]] = Field(  # type: ignore[valid-type]
        ..., description=f"Provider kind. {describe_inference_kinds()}."
    )
    id: Optional[Env[Annotated[str, Field(pattern=ID_PATTERN)]]] = Field(
        None,
        description="provider_id in run.yaml: lower-case letters, digits, `_` and `-`. Default: the type "
        "with `_` turned into `-`. Two entries of one type need distinct ids.",
    )
    api_key_env: Optional[str] = Field(
        None,
        description="NAME of the environment variable holding the API key (not the key). Written to run.yaml "
        "as ${env.NAME} (api_token for vLLM types, api_key otherwise).",
    )
    allowed_models: Optional[list[str]] = Field(None, description="Models this provider may serve.")
    extra: dict[str, Any] = Field(
        default_factory=new_dict, description="Extra keys copied into the provider's `config` (e.g. url, base_url)."
    )


class InferenceConfiguration(Strict):
    """Default model routing, and (unified mode) the high-level inference providers."""

    default_model: Optional[str] = Field(
        None, description="Model used when a query names none. Set together with default_provider."
    )
    default_provider: Optional[str] = Field(
        None, description="Provider used when a query names none. Set together with default_model."
    )
    context_windows: dict[str, PosInt] = Field(
        default_factory=new_dict,
        description="Context window in tokens per model id (e.g. openai/gpt-4o-mini), "
        "used to decide when to compact a conversation.",
    )
    providers: list[UnifiedInferenceProvider] = Field(
        default_factory=new_list, description="High-level inference providers; a non-empty list makes the file unified."
    )
    max_infer_iters: Optional[PosInt] = Field(
        10, description="Most inference iterations per request; null for no limit."
    )
    max_tool_calls: Optional[PosInt] = Field(30, description="Most tool calls per response; null for no limit.")

    _model_and_provider_together = model_validator(mode="after")(checks.default_model_and_provider_together)


# -- conversations ------------------------------------------------------------------------------


class CompactionConfiguration(Strict):
    """Summarizing older turns before a conversation outgrows the context window."""

    enabled: Bool = Field(False, description="Turn compaction on.")
    threshold_ratio: Ratio = Field(0.7, description="Compact when the input exceeds this share of the window (0-1).")
    token_floor: NonNegInt = Field(4096, description="Never compact below this many tokens.")
    buffer_turns: NonNegInt = Field(4, description="Recent turns kept verbatim.")
    buffer_max_ratio: Ratio = Field(0.3, description="Largest share of the window the kept turns may use (0-1).")


class ConversationHistoryConfiguration(Strict):
    """Where conversation history is cached. `type` selects the backend, whose block must be present
    (and no other)."""

    type: Optional[Env[Literal["noop", "memory", "sqlite", "postgres"]]] = Field(
        None, description="Cache backend; memory, sqlite and postgres need the block of the same name."
    )
    memory: Optional[InMemoryCacheConfig] = Field(None, description="Settings when type is memory.")
    sqlite: Optional[SQLiteDatabaseConfiguration] = Field(None, description="Settings when type is sqlite.")
    postgres: Optional[PostgreSQLDatabaseConfiguration] = Field(None, description="Settings when type is postgres.")

    _type_matches_block = model_validator(mode="after")(checks.cache_type_matches_block)


class ApprovalsConfiguration(Strict):
    """Human-in-the-loop approvals of tool calls."""

    approval_timeout_seconds: PosInt = Field(300, description="Seconds before a pending approval expires.")
    approval_retention_days: PosInt = Field(30, description="Days decided approvals are kept for audit.")


# -- vector stores and RAG ----------------------------------------------------------------------


class FaissVectorStoreProviderConfig(Strict):
    """FAISS storage."""

    path: str = Field(..., min_length=1, description="On-disk path of the FAISS store.")


class PgvectorVectorStoreProviderConfig(Strict):
    """pgvector connection; unset fields default to ${env.POSTGRES_HOST}, _PORT, _DATABASE, _USER, _PASSWORD."""

    host: Optional[str] = Field(None, description="PostgreSQL host (default ${env.POSTGRES_HOST}).")
    # Union[..., None] rather than Optional[Union[...]]: typing caches Optional[Union[str, int]]
    # under an equal Optional[Union[int, str]] made earlier (lsprotocol has one), which would
    # reorder the JSON Schema's anyOf with the import order
    port: Union[str, int, None] = Field(None, description="PostgreSQL port (default ${env.POSTGRES_PORT}).")
    db: Optional[str] = Field(None, description="Database name (default ${env.POSTGRES_DATABASE}).")
    user: Optional[str] = Field(None, description="User (default ${env.POSTGRES_USER}).")
    password: Optional[Secret] = Field(None, description="Password (default ${env.POSTGRES_PASSWORD}).")


class _VectorStoreProviderBase(Strict):
    id: Env[Annotated[str, Field(min_length=1, pattern=ID_PATTERN)]] = Field(
        ...,
        description="vector_io provider_id in run.yaml: lower-case letters, digits, `_`, `-`; "
        "must not start with `byok_`.",
    )
    embedding_model: str = Field(..., min_length=1, description="Embedding model for stores created here.")
    embedding_dimension: PosInt = Field(..., description="Dimension of the embedding vectors.")

    _not_byok = field_validator("id")(checks.vector_store_id_not_byok)


class FaissVectorStoreProvider(_VectorStoreProviderBase):
    """A FAISS vector-store provider."""

    type: Literal["faiss"] = Field(..., description="Provider kind.")
    config: FaissVectorStoreProviderConfig = Field(..., description="FAISS storage.")


class PgvectorVectorStoreProvider(_VectorStoreProviderBase):
    """A pgvector vector-store provider."""

    type: Literal["pgvector"] = Field(..., description="Provider kind.")
    config: PgvectorVectorStoreProviderConfig = Field(..., description="pgvector connection.")


VectorStoreProvider = Annotated[
    Union[FaissVectorStoreProvider, PgvectorVectorStoreProvider], Field(discriminator="type")
]


class VectorStoreConfiguration(Strict):
    """Vector-store providers for stores created at run time (unified mode only). Not rag.byok."""

    default_provider: Optional[str] = Field(
        None, description="Id of the provider used by default; required when providers is non-empty."
    )
    providers: list[VectorStoreProvider] = Field(default_factory=new_list, description="Vector-store providers.")

    _default_matches = model_validator(mode="after")(checks.default_vector_store_matches)


class RagStore(Strict):
    """A bring-your-own-knowledge store registered with Llama Stack."""

    rag_id: str = Field(..., min_length=1, description="Unique id; also used in retrieval sources.")
    backend: Env[Literal[VECTOR_KINDS]] = Field(  # type: ignore[valid-type]  # the provider-type table's kinds
        "faiss", description="Vector database kind."
    )
    embedding_model: str = Field(
        "sentence-transformers/all-mpnet-base-v2", min_length=1, description="Embedding model of the store."
    )
    embedding_dimension: PosInt = Field(768, description="Dimension of the embedding vectors.")
    vector_db_id: str = Field(..., min_length=1, description="Vector store id inside Llama Stack.")
    db_path: Optional[str] = Field(None, description="Path of the store's database; required for faiss.")
    score_multiplier: Env[Annotated[float, Gt(0)]] = Field(
        1.0, description="Weight of this store's scores when several sources are queried (>0)."
    )
    relevance_cutoff_score: Env[Annotated[float, Gt(0)]] = Field(
        0.3, description="Results scoring below this are dropped (>0)."
    )
    host: Optional[str] = Field(None, description="pgvector host (default ${env.POSTGRES_HOST}).")
    port: Union[str, int, None] = Field(None, description="pgvector port (default ${env.POSTGRES_PORT}).")
    db: Optional[str] = Field(None, description="pgvector database (default ${env.POSTGRES_DATABASE}).")
    user: Optional[str] = Field(None, description="pgvector user (default ${env.POSTGRES_USER}).")
    password: Optional[Secret] = Field(None, description="pgvector password (default ${env.POSTGRES_PASSWORD}).")

    _faiss_needs_path = model_validator(mode="after")(checks.faiss_store_needs_path)


class RerankerConfiguration(Strict):
    """Cross-encoder reranking of retrieved chunks."""

    enabled: Bool = Field(False, description="Rerank chunks (turned on automatically when BYOK and OKP are both used).")
    model: str = Field("cross-encoder/ms-marco-MiniLM-L6-v2", description="Cross-encoder model.")


class RetrievalStrategyConfiguration(Strict):
    """One retrieval strategy."""

    sources: list[str] = Field(default_factory=new_list, description="rag_id values to search; `okp` for OKP.")
    max_chunks: PosInt = Field(10, description="Most chunks returned.")
    reranker: Optional[RerankerConfiguration] = Field(None, description="Reranking (inline retrieval only).")


class RetrievalConfiguration(Strict):
    """Inline retrieval (context added before the model call) and tool retrieval (file_search)."""

    inline: RetrievalStrategyConfiguration = Field(
        default_factory=RetrievalStrategyConfiguration.model_construct,
        description="Context injected before the LLM request.",
    )
    tool: RetrievalStrategyConfiguration = Field(
        default_factory=RetrievalStrategyConfiguration.model_construct,
        description="The model calls file_search when it wants.",
    )


class ByokConfiguration(Strict):
    """Bring-your-own-knowledge stores."""

    max_chunks: PosInt = Field(10, description="Most chunks returned across all BYOK stores.")
    stores: list[RagStore] = Field(default_factory=new_list, description="The stores; rag_id values must be unique.")

    _unique_rag_ids = model_validator(mode="after")(checks.unique_rag_ids)


class OkpConfiguration(Strict):
    """The Offline Knowledge Portal (Solr) source, used when `okp` is a retrieval source."""

    rhokp_url: Optional[HttpUrl] = Field(None, description="Base URL of the OKP server, e.g. ${env.RH_SERVER_OKP}.")
    offline: Bool = Field(True, description="Link chunks by parent_id (true) or reference_url (false).")
    chunk_filter_query: Optional[str] = Field(None, description="Solr filter added to every OKP query.")
    search_mode: Optional[Env[Literal["semantic", "hybrid", "keyword"]]] = Field(
        None, description="Solr search mode (unset: hybrid)."
    )
    max_chunks: PosInt = Field(5, description="Most chunks fetched from OKP.")


class RagConfiguration(Strict):
    """Retrieval-augmented generation: BYOK stores, OKP and retrieval strategies."""

    byok: ByokConfiguration = Field(
        default_factory=ByokConfiguration.model_construct, description="Bring-your-own-knowledge stores."
    )
    okp: OkpConfiguration = Field(default_factory=OkpConfiguration.model_construct, description="OKP settings.")
    retrieval: RetrievalConfiguration = Field(
        default_factory=RetrievalConfiguration.model_construct, description="Inline and tool retrieval."
    )

    _known_sources = model_validator(mode="after")(checks.known_rag_sources)


# -- quotas, misc -----------------------------------------------------------------------------


class A2AStateConfiguration(Strict):
    """Where A2A task state is kept (in memory when neither is set)."""

    sqlite: Optional[SQLiteDatabaseConfiguration] = Field(None, description="Keep A2A state in SQLite.")
    postgres: Optional[PostgreSQLDatabaseConfiguration] = Field(None, description="Keep A2A state in PostgreSQL.")

    _one_backend = model_validator(mode="after")(checks.one_a2a_state_backend)


class QuotaLimiterConfiguration(Strict):
    """One quota limiter."""

    type: Env[Literal["user_limiter", "cluster_limiter"]] = Field(..., description="Per user, or for the cluster.")
    name: str = Field(..., description="Name of the limiter.")
    initial_quota: NonNegInt = Field(..., description="Quota at the start of each period.")
    quota_increase: NonNegInt = Field(..., description="Amount added to the quota at each period.")
    period: str = Field(..., description="Period in PostgreSQL interval syntax, e.g. `1 day`.")


class QuotaSchedulerConfiguration(Strict):
    """The quota scheduler."""

    period: PosInt = Field(1, description="Scheduler period in seconds.")
    database_reconnection_count: PosInt = Field(10, description="Database connection attempts at start-up.")
    database_reconnection_delay: PosInt = Field(1, description="Seconds between those attempts.")


class QuotaHandlersConfiguration(Strict):
    """Token quotas per user or per cluster."""

    sqlite: Optional[SQLiteDatabaseConfiguration] = Field(None, description="Quota storage in SQLite.")
    postgres: Optional[PostgreSQLDatabaseConfiguration] = Field(None, description="Quota storage in PostgreSQL.")
    limiters: list[QuotaLimiterConfiguration] = Field(default_factory=new_list, description="The limiters.")
    scheduler: QuotaSchedulerConfiguration = Field(
        default_factory=QuotaSchedulerConfiguration.model_construct, description="Scheduler settings."
    )
    enable_token_history: Bool = Field(False, description="Record token usage history.")


class AzureEntraIdConfiguration(Strict):
    """Microsoft Entra ID credentials for Azure OpenAI. Use env references for all three."""

    tenant_id: Secret = Field(..., description="Entra tenant id, e.g. ${env.TENANT_ID}.")
    client_id: Secret = Field(..., description="Application (client) id, e.g. ${env.CLIENT_ID}.")
    client_secret: Secret = Field(..., description="Client secret, e.g. ${env.CLIENT_SECRET}.")
    scope: str = Field("https://cognitiveservices.azure.com/.default", description="Token scope.")


class SplunkConfiguration(Strict):
    """Sending inference events to Splunk HEC."""

    enabled: Bool = Field(False, description="Send events; needs url, token_path and index.")
    url: Optional[str] = Field(None, description="HEC endpoint URL.")
    token_path: Optional[FilePathStr] = Field(None, description="Path to a file holding the HEC token.")
    index: Optional[str] = Field(None, description="Splunk index.")
    source: str = Field("lightspeed-stack", description="Event source name.")
    timeout: PosInt = Field(5, description="HTTP timeout in seconds.")
    verify_ssl: Bool = Field(True, description="Verify the HEC endpoint's certificate.")

    _enabled_needs = model_validator(mode="after")(checks.splunk_enabled_needs)


class ObservabilityConfiguration(Strict):
    """OpenTelemetry settings (normally taken from OTEL_* environment variables)."""

    otel: dict[str, str] = Field(default_factory=new_dict, description="OTEL_* variable name -> value.")


class SkillsConfiguration(Strict):
    """Agent skills."""

    paths: list[str] = Field(default_factory=new_list, description="Directories holding SKILL.md skills.")


class SavedPromptsConfiguration(Strict):
    """Limits of users' saved prompts."""

    max_prompts_per_user: Env[Annotated[int, Gt(0), Le(200)]] = Field(50, description="Prompts per user (at most 200).")
    max_display_name_length: Env[Annotated[int, Gt(0), Le(255)]] = Field(
        255, description="Longest prompt title (at most 255)."
    )
    max_content_length: Env[Annotated[int, Gt(0), Le(30000)]] = Field(
        10000, description="Longest prompt body (at most 30000)."
    )


# -- shields ------------------------------------------------------------------------------------


class QuestionValidityConfig(Strict):
    """Settings of a question-validity shield."""

    model_id: str = Field(..., description="Model that classifies the question.")
    model_prompt: Optional[str] = Field(None, description="Classification prompt (default: LCORE's built-in one).")
    invalid_question_response: Optional[str] = Field(
        None, description="Answer given to rejected questions (default: LCORE's built-in one)."
    )


class RedactionRule(Strict):
    """One redaction: a regular expression and its replacement."""

    pattern: str = Field(..., description="Python regular expression matching the text to hide.")
    replacement: str = Field(..., description="Text put in place of each match.")
    case_sensitive: Optional[Bool] = Field(None, description="Override the block's case_sensitive for this rule.")

    _compiles = field_validator("pattern")(checks.pattern_compiles)


class RedactionConfig(Strict):
    """Settings of a redaction shield."""

    rules: list[RedactionRule] = Field(default_factory=new_list, description="Applied in order.")
    case_sensitive: Bool = Field(False, description="Match case (default: ignore case).")


class QuestionValidityShield(Strict):
    """A shield that rejects off-topic questions."""

    name: str = Field(..., description="Unique shield name (clients select shields by name).")
    provider_id: Literal["question_validity"] = Field(..., description="Shield kind.")
    config: QuestionValidityConfig = Field(..., description="Shield settings.")


class RedactionShield(Strict):
    """A shield that redacts sensitive text with regular expressions."""

    name: str = Field(..., description="Unique shield name (clients select shields by name).")
    provider_id: Literal["redaction"] = Field(..., description="Shield kind.")
    config: RedactionConfig = Field(..., description="Shield settings.")


Shield = Annotated[Union[QuestionValidityShield, RedactionShield], Field(discriminator="provider_id")]


# -- the file -----------------------------------------------------------------------------------


class LightspeedStackConfig(Strict):
    """lightspeed-stack.yaml: the configuration of Lightspeed Core Stack (LCORE)."""

    name: str = Field(..., description="Service name, shown by the REST API.")
    config_format_version: Optional[Literal["legacy", "unified"]] = Field(
        None,
        description="Optional marker; when set it must match the file's shape (unified: it has "
        "inference.providers, vector_store.providers or llama_stack.config).",
    )
    service: ServiceConfiguration = Field(..., description="The LCORE REST service.")
    llama_stack: Optional[LlamaStackConfiguration] = Field(
        None, description="How LCORE reaches Llama Stack (required; `ogx` is the newer name of this key)."
    )
    ogx: Optional[LlamaStackConfiguration] = Field(
        None, description="Newer name of `llama_stack` (LCORE after the OGX rename); wins when both are present."
    )
    user_data_collection: UserDataCollection = Field(..., description="Feedback and transcript collection.")
    database: DatabaseConfiguration = Field(
        default_factory=DatabaseConfiguration.model_construct, description="LCORE's database."
    )
    mcp_servers: list[ModelContextProtocolServer] = Field(
        default_factory=new_list, description="MCP servers whose tools agents may use."
    )
    authentication: AuthenticationConfiguration = Field(
        default_factory=AuthenticationConfiguration.model_construct, description="Authentication of callers."
    )
    authorization: Optional[AuthorizationConfiguration] = Field(None, description="Role-based access control.")
    customization: Optional[Customization] = Field(None, description="Prompt and behaviour customization.")
    inference: InferenceConfiguration = Field(
        default_factory=InferenceConfiguration.model_construct,
        description="Default model routing and high-level providers.",
    )
    conversation_cache: ConversationHistoryConfiguration = Field(
        default_factory=ConversationHistoryConfiguration.model_construct, description="Conversation history cache."
    )
    compaction: CompactionConfiguration = Field(
        default_factory=CompactionConfiguration.model_construct, description="Conversation compaction."
    )
    approvals: ApprovalsConfiguration = Field(
        default_factory=ApprovalsConfiguration.model_construct, description="Tool approvals."
    )
    vector_store: VectorStoreConfiguration = Field(
        default_factory=VectorStoreConfiguration.model_construct, description="Vector-store providers (unified mode)."
    )
    a2a_state: A2AStateConfiguration = Field(
        default_factory=A2AStateConfiguration.model_construct, description="A2A state storage."
    )
    quota_handlers: QuotaHandlersConfiguration = Field(
        default_factory=QuotaHandlersConfiguration.model_construct, description="Token quotas."
    )
    azure_entra_id: Optional[AzureEntraIdConfiguration] = Field(None, description="Entra ID credentials for Azure.")
    rlsapi_v1: RlsapiV1Configuration = Field(
        default_factory=RlsapiV1Configuration.model_construct, description="The rlsapi v1 /infer endpoint."
    )
    splunk: Optional[SplunkConfiguration] = Field(None, description="Splunk HEC events.")
    observability: ObservabilityConfiguration = Field(
        default_factory=ObservabilityConfiguration.model_construct, description="OpenTelemetry settings."
    )
    deployment_environment: str = Field("development", description="Environment name used in telemetry.")
    rag: RagConfiguration = Field(
        default_factory=RagConfiguration.model_construct, description="Retrieval-augmented generation."
    )
    skills: Optional[SkillsConfiguration] = Field(None, description="Agent skills.")
    saved_prompts: SavedPromptsConfiguration = Field(
        default_factory=SavedPromptsConfiguration.model_construct, description="Saved prompt limits."
    )
    shields: list[Shield] = Field(
        default_factory=new_list, description="LCORE's own guardrails (not Llama Stack shields); names are unique."
    )

    _unique_shield_names = field_validator("shields")(checks.unique_shield_names)


def _schema_extra(schema: dict[str, Any]) -> None:
    schema["anyOf"] = [{"required": ["llama_stack"]}, {"required": ["ogx"]}]


LightspeedStackConfig.model_config["json_schema_extra"] = _schema_extra
LightspeedStackConfig.model_rebuild(force=True)
