output "namespace" {
  description = "Namespace the gateway runs in."
  value       = local.namespace
}

output "deployment_name" {
  description = "Name of the Deployment."
  value       = kubernetes_deployment_v1.gateway.metadata[0].name
}

output "service_name" {
  description = "Name of the Service in front of the pods."
  value       = kubernetes_service_v1.gateway.metadata[0].name
}

output "service_url" {
  description = "In-cluster base URL of the gateway (the API is under /api/v1, Swagger UI at /docs)."
  value       = "http://${kubernetes_service_v1.gateway.metadata[0].name}.${local.namespace}.svc.cluster.local:${var.service_port}"
}

output "metrics_url" {
  description = "In-cluster URL Prometheus scrapes (needs the METRICS_TOKEN bearer when metrics_token is set)."
  value       = "http://${kubernetes_service_v1.gateway.metadata[0].name}.${local.namespace}.svc.cluster.local:${var.service_port}${local.metrics_path}"
}

output "probe_paths" {
  description = "Paths of the liveness and readiness probes."
  value       = { liveness = local.liveness_path, readiness = local.readiness_path }
}
