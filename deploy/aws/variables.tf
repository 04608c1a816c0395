variable "region" {
  description = "AWS region of every resource."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Prefix of every resource name."
  type        = string
  default     = "ticketing"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name: 2-21 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "Address range of the VPC; split into two public and two private subnets."
  type        = string
  default     = "10.20.0.0/16"
}

variable "allowed_cidrs" {
  description = "Client address ranges the load balancer accepts HTTP(S) from."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "monitoring_cidrs" {
  description = "Address ranges allowed to scrape /metrics and probe /health on the API (3000) and worker (3001) instances. Empty: none."
  type        = list(string)
  default     = []
}

variable "certificate_arn" {
  description = "ACM certificate for HTTPS on the load balancer. Empty: HTTP only (port 80)."
  type        = string
  default     = ""
}

# --- instances --------------------------------------------------------------------------------------------

variable "api_instance_type" {
  description = "EC2 type of the API instances (REST, seat inventory client, outbox relay)."
  type        = string
  default     = "c7i.large"
}

variable "api_instance_count" {
  description = "API instances behind the load balancer. Stateless: any number share Redis and the broker."
  type        = number
  default     = 1

  validation {
    condition     = var.api_instance_count >= 1
    error_message = "api_instance_count must be at least 1."
  }
}

variable "broker_instance_type" {
  description = "EC2 type of the instance that runs RabbitMQ and a worker."
  type        = string
  default     = "m7i.large"
}

variable "worker_instance_type" {
  description = "EC2 type of additional worker-only instances."
  type        = string
  default     = "c7i.large"
}

variable "worker_instance_count" {
  description = "Worker-only instances in addition to the worker on the broker instance (they share the pipeline queues)."
  type        = number
  default     = 0

  validation {
    condition     = var.worker_instance_count >= 0
    error_message = "worker_instance_count cannot be negative."
  }
}

variable "redis_instance_type" {
  description = "EC2 type of the Redis instance (memory-optimised: the seat maps and the outbox live in memory)."
  type        = string
  default     = "r7i.large"
}

variable "redis_volume_gb" {
  description = "Size of the Redis instance's data volume (append-only file and snapshots)."
  type        = number
  default     = 50
}

variable "broker_volume_gb" {
  description = "Size of the broker instance's root volume (RabbitMQ's quorum queue logs)."
  type        = number
  default     = 50
}

# --- images -----------------------------------------------------------------------------------------------

variable "api_image" {
  description = "The Dockerfile's api target, pushed to a registry the instances can pull from (ECR is logged into automatically)."
  type        = string
}

variable "worker_image" {
  description = "The Dockerfile's worker target (also runs the read model's migrations)."
  type        = string
}

# --- configuration ----------------------------------------------------------------------------------------

variable "amqp_namespace" {
  description = "AMQP_NAMESPACE: prefix of the exchange and queue names."
  type        = string
  default     = "tickets"
}

variable "dynamodb_table_prefix" {
  description = "DYNAMODB_TABLE_PREFIX: the tables are <prefix>-seat-events and <prefix>-tickets."
  type        = string
  default     = "tickets"
}

variable "dynamodb_billing_mode" {
  description = "PAY_PER_REQUEST (on-demand: follows an on-sale's spike) or PROVISIONED (capacities below; pre-warm before a known on-sale)."
  type        = string
  default     = "PAY_PER_REQUEST"

  validation {
    condition     = contains(["PAY_PER_REQUEST", "PROVISIONED"], var.dynamodb_billing_mode)
    error_message = "dynamodb_billing_mode must be PAY_PER_REQUEST or PROVISIONED."
  }
}

variable "dynamodb_write_capacity" {
  description = "Write capacity units per table and index, PROVISIONED mode only."
  type        = number
  default     = 1000
}

variable "dynamodb_read_capacity" {
  description = "Read capacity units per table and index, PROVISIONED mode only."
  type        = number
  default     = 500
}

variable "deletion_protection" {
  description = "Protect the DynamoDB tables and the MySQL database against deletion (turn off only to tear a test stack down)."
  type        = bool
  default     = true
}

# --- MySQL (read model) -----------------------------------------------------------------------------------

variable "mysql_instance_class" {
  description = "RDS class of the read model's primary (the worker's projection writes it)."
  type        = string
  default     = "db.r7g.large"
}

variable "mysql_replica_instance_class" {
  description = "RDS class of the read replicas (the API's queries read them)."
  type        = string
  default     = "db.r7g.large"
}

variable "mysql_read_replica_count" {
  description = "Read replicas for the query side. 0: the API reads the primary."
  type        = number
  default     = 1

  validation {
    condition     = var.mysql_read_replica_count >= 0 && var.mysql_read_replica_count <= 5
    error_message = "mysql_read_replica_count must be 0-5."
  }
}

variable "mysql_allocated_storage_gb" {
  description = "Storage of the primary and each replica."
  type        = number
  default     = 100
}

variable "mysql_multi_az" {
  description = "A standby of the primary in a second availability zone (failover without data loss)."
  type        = bool
  default     = true
}

# --- secrets ----------------------------------------------------------------------------------------------
# Stored in SSM Parameter Store (SecureString) and read by the instances at boot: they are never written
# into user data. They are in the Terraform state, as every Terraform-managed secret is: keep the state
# in an encrypted, access-controlled backend.

variable "admin_token" {
  description = "ADMIN_TOKEN of the admin endpoints (at least 16 characters)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.admin_token) >= 16
    error_message = "admin_token must be at least 16 characters."
  }
}

variable "rabbitmq_password" {
  description = "Password of the RabbitMQ user the API, the workers and nothing else use."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{16,}$", var.rabbitmq_password))
    error_message = "rabbitmq_password: at least 16 letters, digits, '_' or '-' (it goes into an AMQP URL)."
  }
}

variable "redis_password" {
  description = "Redis requirepass."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{16,}$", var.redis_password))
    error_message = "redis_password: at least 16 letters, digits, '_' or '-' (it goes into a Redis URL)."
  }
}

variable "mysql_password" {
  description = "Password of the read model's MySQL user `tickets`."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{16,}$", var.mysql_password))
    error_message = "mysql_password: at least 16 letters, digits, '_' or '-' (it goes into a MySQL URL)."
  }
}
