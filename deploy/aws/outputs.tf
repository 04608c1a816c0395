output "api_url" {
  description = "The API through the load balancer; the OpenAPI page is at /docs."
  value       = "${var.certificate_arn == "" ? "http" : "https"}://${aws_lb.api.dns_name}"
}

output "api_private_ips" {
  value = aws_instance.api[*].private_ip
}

output "broker_private_ip" {
  value = aws_instance.broker.private_ip
}

output "worker_private_ips" {
  value = aws_instance.worker[*].private_ip
}

output "redis_private_ip" {
  value = aws_instance.redis.private_ip
}

output "dynamodb_tables" {
  value = [aws_dynamodb_table.seat_events.name, aws_dynamodb_table.tickets.name]
}

output "mysql_primary_endpoint" {
  value = aws_db_instance.primary.address
}

output "mysql_replica_endpoints" {
  value = aws_db_instance.replica[*].address
}
