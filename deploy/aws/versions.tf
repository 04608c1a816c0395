# The original system's layout on EC2: the API on its own instance(s) behind a load balancer, RabbitMQ and
# the worker on another, Redis on a third, DynamoDB (the write store) and MySQL (the read model) as AWS
# services. Only the AWS provider: `terraform init` needs nothing else.
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 6.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project = var.name
    }
  }
}
