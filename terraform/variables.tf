# ---- where and what ----

variable "name" {
  description = "Name of the deployment, service and every other object this module creates."
  type        = string
  default     = "opitios-alpaca"

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,50}[a-z0-9])?$", var.name))
    error_message = "name must be a DNS-1035 label: lower case letters, digits and '-', starting with a letter, at most 52 characters."
  }
}

variable "namespace" {
  description = "Kubernetes namespace to deploy into."
  type        = string
  default     = "opitios-alpaca"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS-1123 label (lower case letters, digits and '-', at most 63 characters)."
  }
}

variable "create_namespace" {
  description = "Create the namespace (true) or deploy into an existing one (false)."
  type        = bool
  default     = true
}

variable "image" {
  description = "Container image built from docker/Dockerfile, pinned by tag or digest (e.g. registry.example.com/opitios-alpaca:1.4.2)."
  type        = string

  validation {
    condition     = can(regex("^[^\\s]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$", var.image)) && !endswith(var.image, ":latest")
    error_message = "image must name a tag or a digest, and not :latest (rollbacks need an immutable reference)."
  }
}

variable "image_pull_secret" {
  description = "Name of an existing docker-registry secret in the namespace for a private registry; null for none."
  type        = string
  default     = null
}

# ---- scaling and resources ----

variable "min_replicas" {
  description = "Fewest pods the autoscaler keeps (and the initial replica count). At least 2 lets the disruption budget keep one serving during node drains."
  type        = number
  default     = 2

  validation {
    condition     = var.min_replicas >= 1 && floor(var.min_replicas) == var.min_replicas
    error_message = "min_replicas must be a whole number of at least 1."
  }
}

variable "max_replicas" {
  description = "Most pods the autoscaler may run. Every pod probes Alpaca's clock at most every 30 s and shares the account's rate limit."
  type        = number
  default     = 6

  validation {
    condition     = var.max_replicas >= 1 && var.max_replicas <= 50 && floor(var.max_replicas) == var.max_replicas
    error_message = "max_replicas must be a whole number between 1 and 50."
  }
}

variable "target_cpu_utilization" {
  description = "Average CPU utilisation (percent of the CPU request) the autoscaler aims for."
  type        = number
  default     = 70

  validation {
    condition     = var.target_cpu_utilization >= 10 && var.target_cpu_utilization <= 100
    error_message = "target_cpu_utilization must be between 10 and 100."
  }
}

variable "resources" {
  description = "Container resource requests and limits (Kubernetes quantities)."
  type = object({
    requests = object({ cpu = string, memory = string })
    limits   = object({ cpu = string, memory = string })
  })
  default = {
    requests = { cpu = "250m", memory = "256Mi" }
    limits   = { cpu = "1", memory = "512Mi" }
  }

  validation {
    condition = alltrue([
      for q in [var.resources.requests.cpu, var.resources.limits.cpu] : can(regex("^([0-9]+m|[0-9]+(\\.[0-9]+)?)$", q))
      ]) && alltrue([
      for q in [var.resources.requests.memory, var.resources.limits.memory] : can(regex("^[0-9]+(Ki|Mi|Gi)$", q))
    ])
    error_message = "cpu must look like 250m or 1, memory like 256Mi or 1Gi."
  }
}

variable "shutdown_grace_seconds" {
  description = "SHUTDOWN_GRACE_MS in seconds: how long in-flight requests may run after SIGTERM. The pod's termination grace period is this plus the pre-stop pause plus a margin."
  type        = number
  default     = 10

  validation {
    condition     = var.shutdown_grace_seconds >= 0 && var.shutdown_grace_seconds <= 600
    error_message = "shutdown_grace_seconds must be between 0 and 600."
  }
}

variable "pre_stop_sleep_seconds" {
  description = "Pause before SIGTERM so endpoints and load balancers stop sending new requests first."
  type        = number
  default     = 5

  validation {
    condition     = var.pre_stop_sleep_seconds >= 0 && var.pre_stop_sleep_seconds <= 60
    error_message = "pre_stop_sleep_seconds must be between 0 and 60."
  }
}

# ---- service ----

variable "service_type" {
  description = "Kubernetes service type in front of the pods."
  type        = string
  default     = "ClusterIP"

  validation {
    condition     = contains(["ClusterIP", "NodePort", "LoadBalancer"], var.service_type)
    error_message = "service_type must be ClusterIP, NodePort or LoadBalancer."
  }
}

variable "service_port" {
  description = "Port the service listens on (the pods listen on 3000)."
  type        = number
  default     = 80

  validation {
    condition     = var.service_port >= 1 && var.service_port <= 65535
    error_message = "service_port must be a TCP port."
  }
}

variable "ingress" {
  description = "An Ingress (nginx class by default) in front of the service, with timeouts for long-lived WebSocket and SSE stream connections; null for none. Set trust_proxy to the ingress hop (\"1\") with it."
  type = object({
    host                   = string
    class_name             = optional(string, "nginx")
    tls_secret             = optional(string)
    stream_timeout_seconds = optional(number, 3600)
  })
  default = null

  validation {
    condition     = var.ingress == null || (try(var.ingress.stream_timeout_seconds, 3600) >= 60 && try(var.ingress.stream_timeout_seconds, 3600) <= 86400)
    error_message = "ingress.stream_timeout_seconds must be between 60 and 86400."
  }
}

# ---- gateway configuration (non-secret; goes to the config map) ----

variable "alpaca_trading_url" {
  description = "APCA_API_BASE_URL: Alpaca trading host. Paper by default; https://api.alpaca.markets trades real money."
  type        = string
  default     = "https://paper-api.alpaca.markets"

  validation {
    condition     = can(regex("^https://[^\\s/]+/?$", var.alpaca_trading_url))
    error_message = "alpaca_trading_url must be an https:// host URL."
  }
}

variable "alpaca_data_url" {
  description = "APCA_API_DATA_URL: Alpaca market-data host."
  type        = string
  default     = "https://data.alpaca.markets"

  validation {
    condition     = can(regex("^https://[^\\s/]+/?$", var.alpaca_data_url))
    error_message = "alpaca_data_url must be an https:// host URL."
  }
}

variable "alpaca_stock_feed" {
  description = "ALPACA_STOCK_FEED: iex on the free plan, sip with a paid subscription."
  type        = string
  default     = "iex"

  validation {
    condition     = contains(["iex", "sip", "delayed_sip", "otc", "boats", "overnight"], var.alpaca_stock_feed)
    error_message = "alpaca_stock_feed must be one of iex, sip, delayed_sip, otc, boats, overnight."
  }
}

variable "alpaca_options_feed" {
  description = "ALPACA_OPTIONS_FEED: indicative on the free plan, opra with a paid subscription."
  type        = string
  default     = "indicative"

  validation {
    condition     = contains(["indicative", "opra"], var.alpaca_options_feed)
    error_message = "alpaca_options_feed must be indicative or opra."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of the gateway (JSON lines on stdout)."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["error", "warn", "info", "http", "verbose", "debug", "silly"], var.log_level)
    error_message = "log_level must be a winston level: error, warn, info, http, verbose, debug or silly."
  }
}

variable "trust_proxy" {
  description = "TRUST_PROXY: the proxies in front of the pods whose X-Forwarded-For names the client (a hop count such as \"1\" for one ingress, or comma-separated CIDRs of the ingress pods). null: X-Forwarded-For is ignored, and every client behind the ingress shares its address for lockouts and anonymous limits."
  type        = string
  default     = null

  validation {
    condition     = var.trust_proxy == null || can(regex("^([0-9]{1,2}|[0-9a-fA-F:./]+(,\\s*[0-9a-fA-F:./]+)*)$", var.trust_proxy))
    error_message = "trust_proxy must be a hop count or comma-separated addresses/CIDRs (never 'true': anyone could then name their own address)."
  }
}

variable "alpaca_accounts" {
  description = <<-EOT
    Several Alpaca accounts (ALPACA_ACCOUNTS), in order: the first is an unbound key's account and,
    unless alpaca_data_account says otherwise, the data account. Each account's keys stay in an
    existing Kubernetes secret of the namespace (secret_name), never in Terraform's state: its
    entries key_id_key and secret_key_key (default "key_id", "secret_key") become
    ALPACA_ACCOUNT_<NAME>_KEY_ID and _SECRET_KEY through secretKeyRef; base_url is
    ALPACA_ACCOUNT_<NAME>_BASE_URL (https://api.alpaca.markets trades real money). Empty (the
    default): one account from alpaca_api_key_id, alpaca_api_secret_key and alpaca_trading_url.
    Pods read the secrets at start: after rotating one, restart the deployment.
  EOT
  type = list(object({
    name           = string
    secret_name    = string
    base_url       = optional(string, "https://paper-api.alpaca.markets")
    key_id_key     = optional(string, "key_id")
    secret_key_key = optional(string, "secret_key")
  }))
  default = []

  validation {
    condition     = alltrue([for a in var.alpaca_accounts : can(regex("^[a-z][a-z0-9_]{0,31}$", a.name))])
    error_message = "alpaca_accounts names must be 1-32 of a-z 0-9 _, starting with a letter (as ALPACA_ACCOUNTS spells them)."
  }
  validation {
    condition     = length(distinct([for a in var.alpaca_accounts : a.name])) == length(var.alpaca_accounts)
    error_message = "alpaca_accounts names must each appear once."
  }
  validation {
    condition     = alltrue([for a in var.alpaca_accounts : can(regex("^https://[^\\s/]+/?$", a.base_url))])
    error_message = "alpaca_accounts base_url must be an https:// host URL."
  }
  validation {
    condition     = alltrue([for a in var.alpaca_accounts : can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", a.secret_name))])
    error_message = "alpaca_accounts secret_name must name a Kubernetes secret (a DNS-1123 subdomain)."
  }
  validation {
    condition = alltrue([for a in var.alpaca_accounts : alltrue([
      for k in [a.key_id_key, a.secret_key_key] : can(regex("^[-._a-zA-Z0-9]{1,253}$", k))
    ])])
    error_message = "alpaca_accounts key_id_key and secret_key_key must be Kubernetes secret keys (letters, digits, - _ .)."
  }
}

variable "alpaca_data_account" {
  description = "ALPACA_DATA_ACCOUNT: the account of alpaca_accounts whose keys, plan and budget serve market data; null for the first."
  type        = string
  default     = null

  validation {
    condition     = var.alpaca_data_account == null || can(regex("^[a-z][a-z0-9_]{0,31}$", var.alpaca_data_account))
    error_message = "alpaca_data_account must be an account name (1-32 of a-z 0-9 _, starting with a letter)."
  }
}

variable "extra_env" {
  description = "Further non-secret environment variables for the gateway (see the README's configuration table), e.g. { CORS_ORIGINS = \"https://dash.example.com\" }."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.extra_env) : can(regex("^[A-Z][A-Z0-9_]*$", k))])
    error_message = "extra_env keys must be upper-case environment variable names."
  }
}

# ---- secrets (go to the Kubernetes secret; mark them sensitive in your tfvars handling) ----

variable "alpaca_api_key_id" {
  description = "APCA_API_KEY_ID: Alpaca API key id. Required unless alpaca_accounts is given (then unused)."
  type        = string
  sensitive   = true
  default     = null

  validation {
    condition     = var.alpaca_api_key_id == null || try(length(trimspace(var.alpaca_api_key_id)) > 0, false)
    error_message = "alpaca_api_key_id must not be empty."
  }
}

variable "alpaca_api_secret_key" {
  description = "APCA_API_SECRET_KEY: Alpaca API secret key. Required unless alpaca_accounts is given (then unused)."
  type        = string
  sensitive   = true
  default     = null

  validation {
    condition     = var.alpaca_api_secret_key == null || try(length(trimspace(var.alpaca_api_secret_key)) > 0, false)
    error_message = "alpaca_api_secret_key must not be empty."
  }
}

variable "jwt_secret" {
  description = "JWT_SECRET: HS256 key for the tokens the gateway issues and checks; at least 32 characters."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.jwt_secret) >= 32
    error_message = "jwt_secret must be at least 32 characters long."
  }
}

variable "jwt_secrets" {
  description = "JWT_SECRETS: key rotation, 'kid:secret' pairs (secrets of at least 32 characters), newest first; new tokens are signed with the first. null: only jwt_secret (kid 'default')."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.jwt_secrets == null || can(regex("^[A-Za-z0-9._-]{1,64}:[^,\\s]{32,}(,[A-Za-z0-9._-]{1,64}:[^,\\s]{32,})*$", var.jwt_secrets))
    error_message = "jwt_secrets must be comma-separated kid:secret pairs with secrets of at least 32 characters."
  }
}

variable "metrics_token" {
  description = "METRICS_TOKEN: when set, GET /metrics needs it as a bearer token (configure Prometheus accordingly); null leaves /metrics public inside the cluster."
  type        = string
  sensitive   = true
  default     = null

  validation {
    condition     = var.metrics_token == null || length(coalesce(var.metrics_token, "-")) >= 16
    error_message = "metrics_token must be at least 16 characters long when set."
  }
}

variable "redis_url" {
  description = "REDIS_URL (redis:// or rediss://): shared rate-limit counters and cache; null runs each pod on its own memory."
  type        = string
  sensitive   = true
  default     = null

  validation {
    condition     = var.redis_url == null || can(regex("^rediss?://\\S+$", coalesce(var.redis_url, "-")))
    error_message = "redis_url must be a redis:// or rediss:// URL."
  }
}

variable "database_url" {
  description = "DATABASE_URL (postgres://): the audit store; null writes the audit trail to a JSONL file on the pod's ephemeral volume, which is lost with the pod."
  type        = string
  sensitive   = true
  default     = null

  validation {
    condition     = var.database_url == null || can(regex("^postgres(ql)?://\\S+$", coalesce(var.database_url, "-")))
    error_message = "database_url must be a postgres:// or postgresql:// URL."
  }
}

variable "api_keys_json" {
  description = "Content of the hashed API key file (npm run apikey writes it; it holds sha-256 hashes only). Mounted read-only; revocations apply when the secret is updated. null mounts none (JWTs only)."
  type        = string
  sensitive   = true
  default     = null

  validation {
    condition     = var.api_keys_json == null || can(jsondecode(coalesce(var.api_keys_json, "{}")))
    error_message = "api_keys_json must be valid JSON."
  }
}

variable "audit_hmac_key" {
  description = "AUDIT_HMAC_KEY: the audit chain's HMAC key, 'kid:secret' (secret of at least 32 characters). Required: the image runs with NODE_ENV=production."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^([A-Za-z0-9._-]{1,64}:)?.{32,}$", var.audit_hmac_key))
    error_message = "audit_hmac_key must be kid:secret (or a bare secret) with a secret of at least 32 characters."
  }
}

variable "audit_signing_key" {
  description = "AUDIT_SIGNING_KEY: Ed25519 private key (PEM, PKCS#8) signing checkpoints of the audit chain's head. null: no checkpoints (a removed tail goes unnoticed)."
  type        = string
  default     = null
  sensitive   = true
}

variable "response_signing_key" {
  description = "RESPONSE_SIGNING_KEY: Ed25519 private key (PEM, PKCS#8); answers carry RFC 9421 signatures and the public key is served at /.well-known/jwks.json. null: unsigned."
  type        = string
  default     = null
  sensitive   = true
}
