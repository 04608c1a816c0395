# The write store, as src/write-store/dynamo-ticket-write-store.ts uses it. The worker creates missing tables
# on start (on-demand); creating them here instead gives them a capacity mode, point-in-time recovery and
# deletion protection, and the worker finds them in place.
locals {
  provisioned = var.dynamodb_billing_mode == "PROVISIONED"
}

# One stream per seat of an event: streamId = <eventId>#<zoneId>#<row>#<column>, version 1, 2, ... Every append
# is a PutItem conditioned on attribute_not_exists(streamId): version 1 is the seat's owner. One partition key
# per seat spreads an on-sale's writes over the table's partitions.
resource "aws_dynamodb_table" "seat_events" {
  name                        = "${var.dynamodb_table_prefix}-seat-events"
  billing_mode                = var.dynamodb_billing_mode
  hash_key                    = "streamId"
  range_key                   = "version"
  read_capacity               = local.provisioned ? var.dynamodb_read_capacity : null
  write_capacity              = local.provisioned ? var.dynamodb_write_capacity : null
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "streamId"
    type = "S"
  }

  attribute {
    name = "version"
    type = "N"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

# TicketCreation, one item per ticket; the by-event index serves verify and the rebuilds (all tickets of an
# event), so it projects every attribute.
resource "aws_dynamodb_table" "tickets" {
  name                        = "${var.dynamodb_table_prefix}-tickets"
  billing_mode                = var.dynamodb_billing_mode
  hash_key                    = "ticketId"
  read_capacity               = local.provisioned ? var.dynamodb_read_capacity : null
  write_capacity              = local.provisioned ? var.dynamodb_write_capacity : null
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "ticketId"
    type = "S"
  }

  attribute {
    name = "eventId"
    type = "S"
  }

  global_secondary_index {
    name            = "by-event"
    hash_key        = "eventId"
    range_key       = "ticketId"
    projection_type = "ALL"
    read_capacity   = local.provisioned ? var.dynamodb_read_capacity : null
    write_capacity  = local.provisioned ? var.dynamodb_write_capacity : null
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}
