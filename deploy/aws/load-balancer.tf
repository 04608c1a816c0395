# The clients' only way in. Health checks use /health/live, not /health/ready: purchases need neither
# RabbitMQ nor MySQL (the outbox holds them while the broker is away), and every API instance shares them,
# so failing the check on them would take every instance out at once. /health/ready is for monitoring.
resource "aws_lb" "api" {
  name               = "${var.name}-api"
  load_balancer_type = "application"
  internal           = false
  subnets            = aws_subnet.public[*].id
  security_groups    = [aws_security_group.lb.id]
  # Longer than a purchase can take, shorter than a stuck connection deserves.
  idle_timeout               = 30
  drop_invalid_header_fields = true
}

resource "aws_lb_target_group" "api" {
  name     = "${var.name}-api"
  port     = 3000
  protocol = "HTTP"
  vpc_id   = aws_vpc.main.id
  # Past the API's own shutdown bound (25 s): an instance taken out finishes its requests and drains its outbox.
  deregistration_delay = 30

  health_check {
    path                = "/health/live"
    port                = "traffic-port"
    matcher             = "200"
    interval            = 10
    timeout             = 3
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_target_group_attachment" "api" {
  count = var.api_instance_count

  target_group_arn = aws_lb_target_group.api.arn
  target_id        = aws_instance.api[count.index].id
  port             = 3000
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.api.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = var.certificate_arn == "" ? "forward" : "redirect"
    target_group_arn = var.certificate_arn == "" ? aws_lb_target_group.api.arn : null

    dynamic "redirect" {
      for_each = var.certificate_arn == "" ? [] : [1]
      content {
        port        = "443"
        protocol    = "HTTPS"
        status_code = "HTTP_301"
      }
    }
  }
}

resource "aws_lb_listener" "https" {
  count = var.certificate_arn == "" ? 0 : 1

  load_balancer_arn = aws_lb.api.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
}
