#!/usr/bin/env bash
# A real two-node Docker Swarm on this machine, for berth's swarm tests: the local engine is the
# manager (advertised on a veth the namespaced engines reach) and a dockerd in a network namespace
# (scripts/remote-docker.sh, name `swarmw`, 100.64.60.2) joins as a worker with the local test
# images loaded (no registry here). Both nodes carry the label berth-test-pool=shared, so tests can
# keep their services on these two (a test may join workers of its own).
#
#   scripts/swarm.sh up              makes it so (idempotent); prints the worker's endpoint
#   scripts/swarm.sh hold <pid>      up, and records <pid> as a user of the swarm
#   scripts/swarm.sh release <pid>   forgets <pid>; when no live user is left, runs `down`
#   scripts/swarm.sh down            removes the worker, and leaves the swarm only when this
#                                    script created it (a swarm that was already there stays)
#
# Concurrent test files share one swarm through hold/release (under a lock): the last one to
# release takes down what `up` made. Plain containers and host port publishing on the local engine
# keep working in swarm mode, so other Docker tests are not disturbed. Needs root.
set -euo pipefail
cd "$(dirname "$0")"

DOCKER=/usr/bin/docker
WORKER=swarmw
# 100.64.60.0/24: no other test picks it (the table of subnets is in scripts/remote-docker.sh).
WORKER_N=60
MANAGER_IP=100.64.$WORKER_N.1
WORKER_IP=100.64.$WORKER_N.2
WORKER_SOCK=unix:///run/brd-$WORKER.sock
STATE=/run/berth-swarm
IMAGES=(berth-test/busybox:latest berth-test/node:20)
POOL_LABEL=berth-test-pool=shared

mkdir -p "$STATE/holders"
exec 9>"$STATE/lock"
flock 9

local_state() { "$DOCKER" info --format '{{.Swarm.LocalNodeState}}'; }
worker() { "$DOCKER" -H "$WORKER_SOCK" "$@"; }

init_manager() {
  [ "$(local_state)" = active ] && return 0
  # A short heartbeat so a lost worker is marked down (and its tasks rescheduled) in seconds.
  "$DOCKER" swarm init --advertise-addr "$MANAGER_IP" --dispatcher-heartbeat 1s >/dev/null
  "$DOCKER" info --format '{{.Swarm.NodeID}}' >"$STATE/created"
}

join_worker() {
  if [ "$(worker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
    local token
    token=$("$DOCKER" swarm join-token -q worker)
    worker swarm join --token "$token" --advertise-addr "$WORKER_IP" "$MANAGER_IP:2377" >/dev/null
  fi
  worker info --format '{{.Swarm.NodeID}}' >"$STATE/worker"
}

# Copies each test image the worker lacks (or has at another id) from the local engine.
load_images() {
  local image want
  for image in "${IMAGES[@]}"; do
    want=$("$DOCKER" image inspect -f '{{.Id}}' "$image" 2>/dev/null) || {
      echo "swarm: image $image is missing here (scripts/test-images.sh)" >&2
      exit 1
    }
    [ "$(worker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)" = "$want" ] && continue
    "$DOCKER" save "$image" | worker load >/dev/null
  done
}

# The manager takes a moment to see a node that just joined as ready.
label_nodes() {
  local id i
  for id in "$("$DOCKER" info --format '{{.Swarm.NodeID}}')" "$(cat "$STATE/worker")"; do
    for i in $(seq 1 100); do
      "$DOCKER" node update --label-add "$POOL_LABEL" "$id" >/dev/null 2>&1 && break
      sleep 0.1
    done
    # Without the label no test service finds a node: say so here, not as a readiness timeout.
    [ "$("$DOCKER" node inspect -f "{{index .Spec.Labels \"${POOL_LABEL%%=*}\"}}" "$id")" = "${POOL_LABEL#*=}" ] || {
      echo "swarm: could not label node $id $POOL_LABEL" >&2
      exit 1
    }
  done
}

# The worker reaches only the manager's veth: with a default route its engine's image pulls (which
# a swarm task tries even for an image it has) waited ~20 s for DNS before using the local image;
# unreachable, they fail at once. Test traffic stays on this machine either way.
no_egress() { ip -n "berth-$WORKER" route replace unreachable default; }

up() {
  # fd 9 (the lock) closed: the dockerd it starts would hold the lock for its whole life.
  bash ./remote-docker.sh up "$WORKER" "$WORKER_N" >/dev/null 9>&-
  no_egress
  init_manager
  join_worker
  load_images
  label_nodes
  echo "tcp://$WORKER_IP:2375"
}

down() {
  local id
  if [ -f "$STATE/worker" ]; then
    id=$(cat "$STATE/worker")
    worker swarm leave --force >/dev/null 2>&1 || true
    "$DOCKER" node rm --force "$id" >/dev/null 2>&1 || true
    rm -f "$STATE/worker"
  fi
  bash ./remote-docker.sh down "$WORKER" 9>&-
  if [ -f "$STATE/created" ]; then
    # Only the swarm this script made, and only while the engine is still that node.
    if [ "$("$DOCKER" info --format '{{.Swarm.NodeID}}')" = "$(cat "$STATE/created")" ]; then
      "$DOCKER" swarm leave --force >/dev/null
    fi
    rm -f "$STATE/created"
  fi
}

# Drops holders whose process is gone (a test run that crashed before releasing).
live_holders() {
  local f
  for f in "$STATE"/holders/*; do
    [ -e "$f" ] || continue
    [ -d "/proc/${f##*/}" ] && echo "${f##*/}" || rm -f "$f"
  done
}

pid_arg() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] || { echo "usage: $0 hold|release <pid>" >&2; exit 2; }
}

case "${1:-}" in
  up) up ;;
  hold)
    pid_arg "${2:-}"
    up
    touch "$STATE/holders/$2"
    ;;
  release)
    pid_arg "${2:-}"
    rm -f "$STATE/holders/$2"
    [ -n "$(live_holders)" ] || down
    ;;
  down) down ;;
  *)
    echo "usage: $0 up | hold <pid> | release <pid> | down" >&2
    exit 2
    ;;
esac
