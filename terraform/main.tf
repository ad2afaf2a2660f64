locals {
  namespace = var.create_namespace ? kubernetes_namespace_v1.this[0].metadata[0].name : var.namespace

  labels = {
    "app.kubernetes.io/name"       = "opitios-alpaca"
    "app.kubernetes.io/instance"   = var.name
    "app.kubernetes.io/component"  = "gateway"
    "app.kubernetes.io/managed-by" = "terraform"
  }
  selector = {
    "app.kubernetes.io/name"     = "opitios-alpaca"
    "app.kubernetes.io/instance" = var.name
  }

  container_port  = 3000
  api_keys_dir    = "/etc/opitios/api-keys"
  data_dir        = "/app/data"
  liveness_path   = "/api/v1/health/live"
  readiness_path  = "/api/v1/health/ready"
  metrics_path    = "/metrics"
  termination_sec = var.shutdown_grace_seconds + var.pre_stop_sleep_seconds + 10
  # Whether a key file is mounted is not itself secret; count and for_each refuse sensitive values.
  mount_api_keys = nonsensitive(var.api_keys_json != null)

  # Several Alpaca accounts (var.alpaca_accounts): names, hosts and the data account are plain
  # configuration; each account's keys come from its own existing secret (account_secret_env).
  account_names = [for a in var.alpaca_accounts : a.name]
  accounts_config = length(var.alpaca_accounts) == 0 ? {} : merge(
    {
      ALPACA_ACCOUNTS     = join(",", local.account_names)
      ALPACA_DATA_ACCOUNT = coalesce(var.alpaca_data_account, try(local.account_names[0], ""))
    },
    { for a in var.alpaca_accounts : "ALPACA_ACCOUNT_${upper(a.name)}_BASE_URL" => a.base_url },
  )
  account_secret_env = { for e in flatten([for a in var.alpaca_accounts : [
    { env = "ALPACA_ACCOUNT_${upper(a.name)}_KEY_ID", secret = a.secret_name, key = a.key_id_key },
    { env = "ALPACA_ACCOUNT_${upper(a.name)}_SECRET_KEY", secret = a.secret_name, key = a.secret_key_key },
  ]]) : e.env => e }

  config = merge(var.extra_env, var.trust_proxy == null ? {} : { TRUST_PROXY = var.trust_proxy }, local.accounts_config, {
    PORT                = tostring(local.container_port)
    HOST                = "0.0.0.0"
    APCA_API_BASE_URL   = var.alpaca_trading_url
    APCA_API_DATA_URL   = var.alpaca_data_url
    ALPACA_STOCK_FEED   = var.alpaca_stock_feed
    ALPACA_OPTIONS_FEED = var.alpaca_options_feed
    LOG_LEVEL           = var.log_level
    LOG_FORMAT          = "json"
    SHUTDOWN_GRACE_MS   = tostring(var.shutdown_grace_seconds * 1000)
    API_KEYS_FILE       = "${local.api_keys_dir}/api-keys.json"
    AUDIT_LOG_PATH      = "${local.data_dir}/audit.jsonl"
  })

  # Optional secrets are left out rather than set empty, so the gateway's defaults apply.
  secret_data = { for k, v in {
    APCA_API_KEY_ID      = var.alpaca_api_key_id
    APCA_API_SECRET_KEY  = var.alpaca_api_secret_key
    JWT_SECRET           = var.jwt_secret
    JWT_SECRETS          = var.jwt_secrets
    METRICS_TOKEN        = var.metrics_token
    AUDIT_HMAC_KEY       = var.audit_hmac_key
    AUDIT_SIGNING_KEY    = var.audit_signing_key
    RESPONSE_SIGNING_KEY = var.response_signing_key
    REDIS_URL            = var.redis_url
    DATABASE_URL         = var.database_url
  } : k => v if v != null }
}

resource "kubernetes_namespace_v1" "this" {
  count = var.create_namespace ? 1 : 0

  metadata {
    name   = var.namespace
    labels = { "app.kubernetes.io/managed-by" = "terraform" }
  }
}

resource "kubernetes_secret_v1" "env" {
  metadata {
    name      = "${var.name}-env"
    namespace = local.namespace
    labels    = local.labels
  }
  type = "Opaque"
  data = local.secret_data
}

resource "kubernetes_secret_v1" "api_keys" {
  count = local.mount_api_keys ? 1 : 0

  metadata {
    name      = "${var.name}-api-keys"
    namespace = local.namespace
    labels    = local.labels
  }
  type = "Opaque"
  data = { "api-keys.json" = var.api_keys_json }
}

resource "kubernetes_config_map_v1" "env" {
  metadata {
    name      = "${var.name}-env"
    namespace = local.namespace
    labels    = local.labels
  }
  data = local.config
}

resource "kubernetes_deployment_v1" "gateway" {
  metadata {
    name      = var.name
    namespace = local.namespace
    labels    = local.labels
  }

  # Pods must be replaced when configuration changes; env_from alone would not restart them.
  wait_for_rollout = true

  spec {
    replicas               = var.min_replicas
    revision_history_limit = 5

    selector {
      match_labels = local.selector
    }

    strategy {
      type = "RollingUpdate"
      rolling_update {
        max_surge       = "1"
        max_unavailable = "0"
      }
    }

    template {
      metadata {
        labels = local.labels
        annotations = {
          "checksum/config"      = sha256(jsonencode(local.config))
          "checksum/secret"      = sha256(jsonencode(local.secret_data))
          "checksum/api-keys"    = local.mount_api_keys ? sha256(var.api_keys_json) : "none"
          "prometheus.io/scrape" = "true"
          "prometheus.io/path"   = local.metrics_path
          "prometheus.io/port"   = tostring(local.container_port)
        }
      }

      spec {
        termination_grace_period_seconds = local.termination_sec
        automount_service_account_token  = false

        dynamic "image_pull_secrets" {
          for_each = var.image_pull_secret == null ? [] : [var.image_pull_secret]
          content {
            name = image_pull_secrets.value
          }
        }

        security_context {
          run_as_non_root = true
          run_as_user     = 1000
          run_as_group    = 1000
          fs_group        = 1000
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        topology_spread_constraint {
          max_skew           = 1
          topology_key       = "kubernetes.io/hostname"
          when_unsatisfiable = "ScheduleAnyway"
          label_selector {
            match_labels = local.selector
          }
        }

        container {
          name              = "gateway"
          image             = var.image
          image_pull_policy = "IfNotPresent"

          port {
            name           = "http"
            container_port = local.container_port
            protocol       = "TCP"
          }

          env_from {
            config_map_ref {
              name = kubernetes_config_map_v1.env.metadata[0].name
            }
          }
          env_from {
            secret_ref {
              name = kubernetes_secret_v1.env.metadata[0].name
            }
          }
          # Each account's keys straight from its secret: never in this module's state nor its secret.
          dynamic "env" {
            for_each = local.account_secret_env
            content {
              name = env.key
              value_from {
                secret_key_ref {
                  name = env.value.secret
                  key  = env.value.key
                }
              }
            }
          }

          resources {
            requests = var.resources.requests
            limits   = var.resources.limits
          }

          # Liveness touches no dependency: a slow Alpaca or Redis must not restart pods.
          liveness_probe {
            http_get {
              path = local.liveness_path
              port = "http"
            }
            period_seconds    = 10
            timeout_seconds   = 2
            failure_threshold = 3
          }

          # Readiness: Redis, PostgreSQL, Alpaca (cached 30 s) and registered checks.
          readiness_probe {
            http_get {
              path = local.readiness_path
              port = "http"
            }
            period_seconds    = 5
            timeout_seconds   = 3
            failure_threshold = 2
            success_threshold = 1
          }

          startup_probe {
            http_get {
              path = local.liveness_path
              port = "http"
            }
            period_seconds    = 2
            timeout_seconds   = 2
            failure_threshold = 30
          }

          lifecycle {
            pre_stop {
              exec {
                command = ["sleep", tostring(var.pre_stop_sleep_seconds)]
              }
            }
          }

          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true
            run_as_non_root            = true
            capabilities {
              drop = ["ALL"]
            }
          }

          volume_mount {
            name       = "data"
            mount_path = local.data_dir
          }
          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
          dynamic "volume_mount" {
            for_each = local.mount_api_keys ? [1] : []
            content {
              name       = "api-keys"
              mount_path = local.api_keys_dir
              read_only  = true
            }
          }
        }

        volume {
          name = "data"
          empty_dir {}
        }
        volume {
          name = "tmp"
          empty_dir {
            medium     = "Memory"
            size_limit = "16Mi"
          }
        }
        dynamic "volume" {
          for_each = local.mount_api_keys ? [1] : []
          content {
            name = "api-keys"
            secret {
              secret_name  = kubernetes_secret_v1.api_keys[0].metadata[0].name
              default_mode = "0440"
            }
          }
        }
      }
    }
  }

  lifecycle {
    # The autoscaler owns the replica count after the first apply.
    ignore_changes = [spec[0].replicas]

    precondition {
      condition     = length(var.alpaca_accounts) > 0 || nonsensitive(var.alpaca_api_key_id != null && var.alpaca_api_secret_key != null)
      error_message = "alpaca_api_key_id and alpaca_api_secret_key are required when alpaca_accounts is empty."
    }
    precondition {
      condition     = var.alpaca_data_account == null || contains(local.account_names, coalesce(var.alpaca_data_account, "-"))
      error_message = "alpaca_data_account must name one of alpaca_accounts."
    }
  }
}

resource "kubernetes_service_v1" "gateway" {
  metadata {
    name      = var.name
    namespace = local.namespace
    labels    = local.labels
  }
  spec {
    type     = var.service_type
    selector = local.selector
    port {
      name        = "http"
      port        = var.service_port
      target_port = "http"
      protocol    = "TCP"
    }
  }
}

resource "kubernetes_horizontal_pod_autoscaler_v2" "gateway" {
  metadata {
    name      = var.name
    namespace = local.namespace
    labels    = local.labels
  }
  spec {
    min_replicas = var.min_replicas
    max_replicas = var.max_replicas

    scale_target_ref {
      api_version = "apps/v1"
      kind        = "Deployment"
      name        = kubernetes_deployment_v1.gateway.metadata[0].name
    }

    metric {
      type = "Resource"
      resource {
        name = "cpu"
        target {
          type                = "Utilization"
          average_utilization = var.target_cpu_utilization
        }
      }
    }

    behavior {
      scale_down {
        stabilization_window_seconds = 300
        select_policy                = "Max"
        policy {
          type           = "Pods"
          value          = 1
          period_seconds = 60
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.max_replicas >= var.min_replicas
      error_message = "max_replicas must be at least min_replicas."
    }
  }
}

resource "kubernetes_pod_disruption_budget_v1" "gateway" {
  metadata {
    name      = var.name
    namespace = local.namespace
    labels    = local.labels
  }
  spec {
    # One pod may be evicted at a time; with a single replica evictions still proceed.
    max_unavailable = "1"
    selector {
      match_labels = local.selector
    }
  }
}

# Streams stay open for hours: the ingress must neither time them out after its default 60 s nor
# buffer Server-Sent Events. WebSocket upgrades pass through ingress-nginx as they are.
resource "kubernetes_ingress_v1" "gateway" {
  count = var.ingress == null ? 0 : 1

  metadata {
    name      = var.name
    namespace = local.namespace
    labels    = local.labels
    annotations = {
      "nginx.ingress.kubernetes.io/proxy-read-timeout" = tostring(var.ingress.stream_timeout_seconds)
      "nginx.ingress.kubernetes.io/proxy-send-timeout" = tostring(var.ingress.stream_timeout_seconds)
      "nginx.ingress.kubernetes.io/proxy-buffering"    = "off"
    }
  }
  spec {
    ingress_class_name = var.ingress.class_name
    dynamic "tls" {
      for_each = var.ingress.tls_secret == null ? [] : [var.ingress.tls_secret]
      content {
        hosts       = [var.ingress.host]
        secret_name = tls.value
      }
    }
    rule {
      host = var.ingress.host
      http {
        path {
          path      = "/"
          path_type = "Prefix"
          backend {
            service {
              name = kubernetes_service_v1.gateway.metadata[0].name
              port {
                number = var.service_port
              }
            }
          }
        }
      }
    }
  }
}
