data "aws_ssm_parameter" "al2023" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

locals {
  ami = data.aws_ssm_parameter.al2023.value
  # The API reads the read model from the replicas, one per API instance in turn; without replicas, the primary.
  query_endpoints = length(aws_db_instance.replica) > 0 ? aws_db_instance.replica[*].address : [aws_db_instance.primary.address]
  # Settings common to every process, named as in .env.example.
  common_env = {
    AMQP_NAMESPACE        = var.amqp_namespace
    DYNAMODB_REGION       = var.region
    DYNAMODB_TABLE_PREFIX = var.dynamodb_table_prefix
    LOG_FORMAT            = "json"
    NODE_ENV              = "production"
  }
}

# --- Redis ------------------------------------------------------------------------------------------------

resource "aws_instance" "redis" {
  ami                    = local.ami
  instance_type          = var.redis_instance_type
  subnet_id              = aws_subnet.private[0].id
  vpc_security_group_ids = [aws_security_group.redis.id]
  iam_instance_profile   = aws_iam_instance_profile.tier["redis"].name
  user_data              = templatefile("${path.module}/templates/redis.sh.tftpl", { region = var.region, redis_pass_param = aws_ssm_parameter.redis_password.name })

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = var.redis_volume_gb
    encrypted   = true
  }

  tags = { Name = "${var.name}-redis", Role = "${var.name}-redis" }
}

# --- RabbitMQ and a worker --------------------------------------------------------------------------------

resource "aws_instance" "broker" {
  ami                    = local.ami
  instance_type          = var.broker_instance_type
  subnet_id              = aws_subnet.private[0].id
  vpc_security_group_ids = [aws_security_group.broker.id, aws_security_group.worker.id]
  iam_instance_profile   = aws_iam_instance_profile.tier["worker"].name
  user_data = templatefile("${path.module}/templates/worker.sh.tftpl", {
    region              = var.region
    worker_image_param  = aws_ssm_parameter.worker_image.name
    common_env          = local.common_env
    mysql_pass_param    = aws_ssm_parameter.mysql_password.name
    mysql_primary       = aws_db_instance.primary.address
    rabbitmq_pass_param = aws_ssm_parameter.rabbitmq_password.name
    redis_pass_param    = aws_ssm_parameter.redis_password.name
    redis_host          = aws_instance.redis.private_ip
    # This instance runs the broker itself, then the migrations, then its worker.
    run_broker  = true
    broker_host = "127.0.0.1"
  })

  metadata_options {
    http_tokens = "required"
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = var.broker_volume_gb
    encrypted   = true
  }

  # Role: what `aws ssm send-command --targets Key=tag:Role,...` selects for a release (deploy/README.md).
  tags = { Name = "${var.name}-broker", Role = "${var.name}-worker" }
}

resource "aws_instance" "worker" {
  count = var.worker_instance_count

  ami                    = local.ami
  instance_type          = var.worker_instance_type
  subnet_id              = aws_subnet.private[count.index % 2].id
  vpc_security_group_ids = [aws_security_group.worker.id]
  iam_instance_profile   = aws_iam_instance_profile.tier["worker"].name
  user_data = templatefile("${path.module}/templates/worker.sh.tftpl", {
    region              = var.region
    worker_image_param  = aws_ssm_parameter.worker_image.name
    common_env          = local.common_env
    mysql_pass_param    = aws_ssm_parameter.mysql_password.name
    mysql_primary       = aws_db_instance.primary.address
    rabbitmq_pass_param = aws_ssm_parameter.rabbitmq_password.name
    redis_pass_param    = aws_ssm_parameter.redis_password.name
    redis_host          = aws_instance.redis.private_ip
    run_broker          = false
    broker_host         = aws_instance.broker.private_ip
  })

  metadata_options {
    http_tokens = "required"
  }

  tags = { Name = "${var.name}-worker-${count.index}", Role = "${var.name}-worker" }
}

# --- API --------------------------------------------------------------------------------------------------

resource "aws_instance" "api" {
  count = var.api_instance_count

  ami                    = local.ami
  instance_type          = var.api_instance_type
  subnet_id              = aws_subnet.private[count.index % 2].id
  vpc_security_group_ids = [aws_security_group.api.id]
  iam_instance_profile   = aws_iam_instance_profile.tier["api"].name
  user_data = templatefile("${path.module}/templates/api.sh.tftpl", {
    region              = var.region
    api_image_param     = aws_ssm_parameter.api_image.name
    common_env          = local.common_env
    mysql_pass_param    = aws_ssm_parameter.mysql_password.name
    mysql_primary       = aws_db_instance.primary.address
    mysql_query         = local.query_endpoints[count.index % length(local.query_endpoints)]
    redis_host          = aws_instance.redis.private_ip
    broker_host         = aws_instance.broker.private_ip
    admin_token_param   = aws_ssm_parameter.admin_token.name
    vpc_cidr            = var.vpc_cidr
    rabbitmq_pass_param = aws_ssm_parameter.rabbitmq_password.name
    redis_pass_param    = aws_ssm_parameter.redis_password.name
  })

  metadata_options {
    http_tokens = "required"
  }

  tags = { Name = "${var.name}-api-${count.index}", Role = "${var.name}-api" }
}
