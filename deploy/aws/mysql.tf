# The read model: a MySQL primary (the workers' projection and the migrations write it) and read replicas
# (the API's queries). The password is a variable kept in SSM (secrets.tf), read by the instances at boot:
# an RDS-managed password would rotate under the running processes.
resource "aws_db_subnet_group" "mysql" {
  name       = "${var.name}-mysql"
  subnet_ids = aws_subnet.private[*].id
}

resource "aws_db_parameter_group" "mysql" {
  name   = "${var.name}-mysql8"
  family = "mysql8.0"

  # Every committed projection batch on disk before the commit returns (the default, stated: the worker
  # acknowledges its messages after the commit).
  parameter {
    name  = "innodb_flush_log_at_trx_commit"
    value = "1"
  }
}

resource "aws_db_instance" "primary" {
  identifier             = "${var.name}-read-model"
  engine                 = "mysql"
  engine_version         = "8.0"
  instance_class         = var.mysql_instance_class
  allocated_storage      = var.mysql_allocated_storage_gb
  storage_type           = "gp3"
  storage_encrypted      = true
  db_name                = "tickets"
  username               = "tickets"
  password               = var.mysql_password
  multi_az               = var.mysql_multi_az
  db_subnet_group_name   = aws_db_subnet_group.mysql.name
  parameter_group_name   = aws_db_parameter_group.mysql.name
  vpc_security_group_ids = [aws_security_group.mysql.id]
  # Replicas need automated backups on the source.
  backup_retention_period   = 7
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = !var.deletion_protection
  final_snapshot_identifier = var.deletion_protection ? "${var.name}-read-model-final" : null
}

resource "aws_db_instance" "replica" {
  count = var.mysql_read_replica_count

  identifier             = "${var.name}-read-model-replica-${count.index}"
  replicate_source_db    = aws_db_instance.primary.identifier
  instance_class         = var.mysql_replica_instance_class
  storage_type           = "gp3"
  storage_encrypted      = true
  parameter_group_name   = aws_db_parameter_group.mysql.name
  vpc_security_group_ids = [aws_security_group.mysql.id]
  skip_final_snapshot    = true
}
