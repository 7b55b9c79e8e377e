#!/usr/bin/env bash
# Makes a local Docker engine answer: installs docker.io (+ docker-compose, busybox-static) from
# Debian when missing, starts dockerd in the background when it does not answer, and waits.
# Idempotent and fast when the engine already answers.
set -euo pipefail

DOCKER=/usr/bin/docker
LOG=${DOCKERD_LOG:-/tmp/dockerd.log}
WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-60}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

need_packages() {
  local missing=() pkg
  for pkg in docker.io docker-compose busybox-static; do
    installed "$pkg" || missing+=("$pkg")
  done
  echo "${missing[@]:-}"
}

install_packages() {
  local missing
  missing=$(need_packages)
  [ -z "$missing" ] && return 0
  echo "docker-up: installing $missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  if ! apt-get install -y --no-install-recommends $missing >/tmp/docker-up-apt.log 2>&1; then
    apt-get update >>/tmp/docker-up-apt.log 2>&1
    # shellcheck disable=SC2086
    apt-get install -y --no-install-recommends $missing >>/tmp/docker-up-apt.log 2>&1
  fi
}

answers() { timeout 5 "$DOCKER" version >/dev/null 2>&1; }

start_dockerd() {
  echo "docker-up: starting dockerd (log: $LOG)" >&2
  setsid /usr/sbin/dockerd >>"$LOG" 2>&1 </dev/null &
}

wait_for_engine() {
  local deadline=$((SECONDS + WAIT_SECONDS))
  until answers; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "docker-up: dockerd did not answer within ${WAIT_SECONDS}s; last log lines:" >&2
      tail -n 20 "$LOG" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
}

install_packages
if ! answers; then
  start_dockerd
  wait_for_engine
fi
"$DOCKER" version --format 'docker-up: engine {{.Server.Version}} answers' >&2
