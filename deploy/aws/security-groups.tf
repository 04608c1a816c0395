# One security group per tier; each opens only the ports its clients need, to those clients' groups.
#
#   clients ──80/443──► lb ──3000──► api ──6379──► redis ◄──6379── worker (seat-map rebuilds)
#                                    api ──5672──► broker ◄──5672── worker
#                                    api ──3306──► mysql  ◄──3306── worker
#
# No SSH anywhere: the instances are reached through SSM Session Manager. Egress is open: image pulls and
# AWS APIs go out through the NAT gateway (the DynamoDB endpoint keeps that traffic inside AWS).

resource "aws_security_group" "lb" {
  name        = "${var.name}-lb"
  description = "Load balancer: HTTP(S) from the allowed client ranges"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group" "api" {
  name        = "${var.name}-api"
  description = "API instances: port 3000 from the load balancer only"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group" "broker" {
  name        = "${var.name}-broker"
  description = "RabbitMQ: AMQP from the API and the workers only"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group" "worker" {
  name        = "${var.name}-worker"
  description = "Workers: no inbound traffic except monitoring"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group" "redis" {
  name        = "${var.name}-redis"
  description = "Redis: port 6379 from the API only (the worker uses no Redis)"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group" "mysql" {
  name        = "${var.name}-mysql"
  description = "MySQL read model: 3306 from the API (queries) and the workers (projection)"
  vpc_id      = aws_vpc.main.id
}

# --- load balancer ----------------------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "lb_http" {
  for_each = toset(var.allowed_cidrs)

  security_group_id = aws_security_group.lb.id
  description       = "HTTP from clients"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_ingress_rule" "lb_https" {
  for_each = var.certificate_arn == "" ? toset([]) : toset(var.allowed_cidrs)

  security_group_id = aws_security_group.lb.id
  description       = "HTTPS from clients"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "lb_to_api" {
  security_group_id            = aws_security_group.lb.id
  description                  = "Requests and health checks to the API"
  ip_protocol                  = "tcp"
  from_port                    = 3000
  to_port                      = 3000
  referenced_security_group_id = aws_security_group.api.id
}

# --- API --------------------------------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "api_from_lb" {
  security_group_id            = aws_security_group.api.id
  description                  = "HTTP from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = 3000
  to_port                      = 3000
  referenced_security_group_id = aws_security_group.lb.id
}

resource "aws_vpc_security_group_ingress_rule" "api_from_monitoring" {
  for_each = toset(var.monitoring_cidrs)

  security_group_id = aws_security_group.api.id
  description       = "Metrics and health from monitoring"
  ip_protocol       = "tcp"
  from_port         = 3000
  to_port           = 3000
  cidr_ipv4         = each.value
}

# --- RabbitMQ ---------------------------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "broker_from_api" {
  security_group_id            = aws_security_group.broker.id
  description                  = "AMQP from the API (outbox relay)"
  ip_protocol                  = "tcp"
  from_port                    = 5672
  to_port                      = 5672
  referenced_security_group_id = aws_security_group.api.id
}

resource "aws_vpc_security_group_ingress_rule" "broker_from_worker" {
  security_group_id            = aws_security_group.broker.id
  description                  = "AMQP from the workers (pipelines)"
  ip_protocol                  = "tcp"
  from_port                    = 5672
  to_port                      = 5672
  referenced_security_group_id = aws_security_group.worker.id
}

# --- workers ----------------------------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "worker_from_monitoring" {
  for_each = toset(var.monitoring_cidrs)

  security_group_id = aws_security_group.worker.id
  description       = "Metrics and health from monitoring"
  ip_protocol       = "tcp"
  from_port         = 3001
  to_port           = 3001
  cidr_ipv4         = each.value
}

# --- Redis ------------------------------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "redis_from_api" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis from the API"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.api.id
}

# The worker rebuilds seat maps Redis has lost, from DynamoDB.
resource "aws_vpc_security_group_ingress_rule" "redis_from_worker" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis from the worker (seat-map rebuilds)"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.worker.id
}

# --- MySQL ------------------------------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "mysql_from_api" {
  security_group_id            = aws_security_group.mysql.id
  description                  = "MySQL from the API (queries, replicas)"
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  referenced_security_group_id = aws_security_group.api.id
}

resource "aws_vpc_security_group_ingress_rule" "mysql_from_worker" {
  security_group_id            = aws_security_group.mysql.id
  description                  = "MySQL from the workers (projection, migrations)"
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  referenced_security_group_id = aws_security_group.worker.id
}

# --- egress -----------------------------------------------------------------------------------------------

resource "aws_vpc_security_group_egress_rule" "instances_out" {
  for_each = {
    api    = aws_security_group.api.id
    broker = aws_security_group.broker.id
    worker = aws_security_group.worker.id
    redis  = aws_security_group.redis.id
  }

  security_group_id = each.value
  description       = "Outbound: the other tiers, image pulls, AWS APIs"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}
