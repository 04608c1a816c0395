# What the instances read from SSM each time their unit starts: the release's images, and the secrets.
# Changing an image here and restarting the unit is a release (deploy/README.md).
resource "aws_ssm_parameter" "api_image" {
  name  = "/${var.name}/api-image"
  type  = "String"
  value = var.api_image
}

resource "aws_ssm_parameter" "worker_image" {
  name  = "/${var.name}/worker-image"
  type  = "String"
  value = var.worker_image
}

resource "aws_ssm_parameter" "admin_token" {
  name  = "/${var.name}/admin-token"
  type  = "SecureString"
  value = var.admin_token
}

resource "aws_ssm_parameter" "rabbitmq_password" {
  name  = "/${var.name}/rabbitmq-password"
  type  = "SecureString"
  value = var.rabbitmq_password
}

resource "aws_ssm_parameter" "redis_password" {
  name  = "/${var.name}/redis-password"
  type  = "SecureString"
  value = var.redis_password
}

resource "aws_ssm_parameter" "mysql_password" {
  name  = "/${var.name}/mysql-password"
  type  = "SecureString"
  value = var.mysql_password
}
