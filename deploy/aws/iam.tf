# One role per tier. All may be reached through SSM Session Manager and read their own secrets; only the
# workers write DynamoDB.
data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

locals {
  roles = toset(["api", "worker", "redis"])
  table_arns = [
    aws_dynamodb_table.seat_events.arn,
    aws_dynamodb_table.tickets.arn,
    "${aws_dynamodb_table.tickets.arn}/index/*",
  ]
  # The parameters each role may read at boot.
  role_parameters = {
    api = [
      aws_ssm_parameter.api_image.arn,
      aws_ssm_parameter.admin_token.arn,
      aws_ssm_parameter.rabbitmq_password.arn,
      aws_ssm_parameter.redis_password.arn,
      aws_ssm_parameter.mysql_password.arn,
    ]
    worker = [
      aws_ssm_parameter.worker_image.arn,
      aws_ssm_parameter.rabbitmq_password.arn,
      aws_ssm_parameter.mysql_password.arn,
      aws_ssm_parameter.redis_password.arn,
    ]
    redis = [aws_ssm_parameter.redis_password.arn]
  }
}

resource "aws_iam_role" "tier" {
  for_each = local.roles

  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
}

resource "aws_iam_instance_profile" "tier" {
  for_each = local.roles

  name = "${var.name}-${each.key}"
  role = aws_iam_role.tier[each.key].name
}

resource "aws_iam_role_policy_attachment" "ssm_core" {
  for_each = local.roles

  role       = aws_iam_role.tier[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_role_policy_attachment" "ecr_read" {
  for_each = toset(["api", "worker"])

  role       = aws_iam_role.tier[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
}

data "aws_iam_policy_document" "secrets" {
  for_each = local.roles

  statement {
    sid       = "ReadOwnParameters"
    actions   = ["ssm:GetParameter", "ssm:GetParameters"]
    resources = local.role_parameters[each.key]
  }
}

resource "aws_iam_role_policy" "secrets" {
  for_each = local.roles

  name   = "secrets"
  role   = aws_iam_role.tier[each.key].id
  policy = data.aws_iam_policy_document.secrets[each.key].json
}

# The worker's write store. DescribeTable: the worker checks its tables on start, and the migrate step (run on
# the worker's instance, with its role) looks for missing ones; Terraform creates them, so the step's
# CreateTable is only sent where one was deleted. ListTables is the readiness check, and cannot be scoped to a
# table.
data "aws_iam_policy_document" "worker_dynamodb" {
  statement {
    sid = "WriteStore"
    actions = [
      "dynamodb:PutItem",
      "dynamodb:GetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:BatchGetItem",
      "dynamodb:Query",
      "dynamodb:DescribeTable",
      "dynamodb:CreateTable",
    ]
    resources = local.table_arns
  }

  statement {
    sid       = "ReadinessCheck"
    actions   = ["dynamodb:ListTables"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "worker_dynamodb" {
  name   = "dynamodb-write-store"
  role   = aws_iam_role.tier["worker"].id
  policy = data.aws_iam_policy_document.worker_dynamodb.json
}

# The API process has no DynamoDB client. The operator commands (`verify`, `rebuild:read-model`,
# `rebuild:seats`) read DynamoDB and need Redis, which only the API tier reaches: they run on an API
# instance, with read-only access.
data "aws_iam_policy_document" "api_dynamodb_read" {
  statement {
    sid       = "OperatorCommandsRead"
    actions   = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:DescribeTable"]
    resources = local.table_arns
  }
}

resource "aws_iam_role_policy" "api_dynamodb_read" {
  name   = "dynamodb-read-for-operator-commands"
  role   = aws_iam_role.tier["api"].id
  policy = data.aws_iam_policy_document.api_dynamodb_read.json
}
