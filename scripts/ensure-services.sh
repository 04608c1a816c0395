#!/usr/bin/env bash
# Makes sure Redis, RabbitMQ and MySQL answer on their usual local ports. Uses what is listening; else
# starts the locally installed server; else `docker compose up` of that service; else says what to install.
set -euo pipefail

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # name port seconds
  for _ in $(seq 1 "$3"); do listening "$2" && return 0; sleep 1; done
  echo "ensure-services: $1 did not come up on port $2 within $3 s" >&2
  return 1
}

compose_up() { # service
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    docker compose up -d "$1"
    return 0
  fi
  return 1
}

ensure() { # name port local-start-command install-hint compose-service
  local name=$1 port=$2 start=$3 hint=$4 service=$5
  if listening "$port"; then return 0; fi
  echo "ensure-services: $name is not listening on $port, starting it"
  if [ -n "$start" ] && command -v "${start%% *}" >/dev/null; then
    eval "$start" || true
  elif ! compose_up "$service"; then
    echo "ensure-services: $name is missing. $hint" >&2
    return 1
  fi
  wait_for "$name" "$port" 60
}

ensure Redis 6379 \
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /tmp' \
  'Install it (apt-get install redis-server) or run Docker (docker compose up -d redis).' redis
ensure RabbitMQ 5672 'rabbitmq-server -detached' \
  'Install it (apt-get install rabbitmq-server) or run Docker (docker compose up -d rabbitmq).' rabbitmq
ensure MySQL 3306 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd' \
  'Install MySQL or MariaDB (apt-get install mariadb-server) or run Docker (docker compose up -d mysql).' mysql
