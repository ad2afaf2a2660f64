# Minimal use of the module against the cluster in ~/.kube/config:
#   terraform init && terraform apply -var image=registry.example.com/opitios-alpaca:0.1.0
# Secrets come from the environment (TF_VAR_alpaca_api_key_id, ...), never from a committed file.

provider "kubernetes" {
  config_path    = "~/.kube/config"
  config_context = var.kube_context
}

variable "kube_context" {
  description = "kubeconfig context to deploy with."
  type        = string
  default     = null
}

variable "image" {
  description = "Gateway image, pinned by tag or digest."
  type        = string
}

variable "alpaca_api_key_id" {
  description = "Alpaca API key id (paper account)."
  type        = string
  sensitive   = true
}

variable "alpaca_api_secret_key" {
  description = "Alpaca API secret key."
  type        = string
  sensitive   = true
}

variable "jwt_secret" {
  description = "HS256 signing key, at least 32 characters."
  type        = string
  sensitive   = true
}

variable "audit_hmac_key" {
  description = "The audit chain's HMAC key, kid:secret (secret at least 32 characters)."
  type        = string
  sensitive   = true
}

module "opitios_alpaca" {
  source = "../.."

  image                 = var.image
  alpaca_api_key_id     = var.alpaca_api_key_id
  alpaca_api_secret_key = var.alpaca_api_secret_key
  jwt_secret            = var.jwt_secret
  audit_hmac_key        = var.audit_hmac_key
  redis_url             = "redis://redis.opitios-alpaca.svc.cluster.local:6379"
  min_replicas          = 2
  max_replicas          = 4

  # Several Alpaca accounts instead of the one above (keys from existing secrets with entries
  # key_id and secret_key; requests pick one with X-Alpaca-Account):
  # alpaca_accounts = [
  #   { name = "paper", secret_name = "alpaca-paper" },
  #   { name = "live", secret_name = "alpaca-live", base_url = "https://api.alpaca.markets" },
  # ]
}

output "service_url" {
  description = "In-cluster URL of the gateway."
  value       = module.opitios_alpaca.service_url
}
