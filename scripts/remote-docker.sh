#!/usr/bin/env bash
# A second, "remote" Docker host on this machine: a network namespace joined to the host by a veth
# pair (host 100.64.N.1/24, namespace 100.64.N.2/24) and a dockerd inside it with its own
# data-root, exec-root, pidfile, unix socket, bridge and cgroup parent, listening on
# tcp://100.64.N.2:2375 without TLS — or, with --tls, on tcp://0.0.0.0:2376 with --tlsverify.
#
#   scripts/remote-docker.sh up   <name> <N> [--tls <dir>]
#        prints the endpoint (tcp://100.64.N.2:2375, or tcp://100.64.N.2:2376 with --tls, where <dir>
#        holds ca.pem, server-cert.pem and server-key.pem as scripts/docker-tls-certs.sh makes them)
#   scripts/remote-docker.sh sshd <name> <port> <dir>
#        starts an sshd in the namespace on <port> (host key <dir>/ssh_host_ed25519_key, logins by
#        <dir>/authorized_keys only) whose sessions talk to this namespace's dockerd (DOCKER_HOST),
#        so `ssh://root@100.64.N.2:<port>` is a Docker endpoint; prints its pid. Its config and log
#        go to <dir>; nothing system-wide changes but /run/sshd, sshd's privilege-separation folder.
#   scripts/remote-docker.sh down <name> [N]   stops both and removes everything `up` made
#
#   scripts/remote-docker.sh unguard           drops the guard route (below) when no namespace is left
#
# `up` also installs the route `unreachable 100.64.0.0/10` (metric 4242, below every veth route):
# traffic to a namespace that is gone then fails at once with EHOSTUNREACH instead of leaving the
# machine (this VM's egress answers every TCP connect). `down` keeps that shared route on purpose so
# "the remote host went away" is observable; `unguard` removes it. All idempotent. Needs root.
#
# Which test file uses which N (test files run two at a time: two files on one N would put two
# host veths on one subnet, and one would talk to the other's dockerd). Each takes N = base + pid % size.
#   1–19    packages/runtime-docker/test/remote-docker-host     150–169  test/docker-remote-node
#   20–39   test/one-template-any-node                          170–189  packages/integrations/test/remote-docker
#   40–59   test/versions-on-remote-node                        200–219  test/docker-remote-tls
#   60      scripts/swarm.sh's worker                           220–239  test/docker-remote-ssh
#   70–79   test/docker-remote-links                            240–253  test/docker-remote-unreachable
#   80–99   packages/runtime-docker/test/swarm-node-loss        100–139  test/docker-engine-restart
#   140–149 test/swarm-node-loss
set -euo pipefail

usage() {
  echo "usage: $0 up <name> <ip-suffix 1-254> [--tls <dir>] | sshd <name> <port> <dir> | down <name> | unguard" >&2
  exit 2
}
[ "${1:-}" = unguard ] && set -- unguard guard
[ $# -ge 2 ] || usage
ACTION=$1
NAME=$2
N=${3:-}
TLS_DIR=
if [ "$ACTION" = up ] && [ $# -gt 3 ]; then
  [ $# -eq 5 ] && [ "$4" = --tls ] || usage
  TLS_DIR=$(cd "$5" && pwd)
  for f in ca.pem server-cert.pem server-key.pem; do
    [ -r "$TLS_DIR/$f" ] || { echo "remote-docker: $TLS_DIR/$f is missing" >&2; exit 2; }
  done
fi
[[ "$NAME" =~ ^[a-z0-9][a-z0-9-]{0,9}$ ]] || { echo "name must be 1-10 of [a-z0-9-]" >&2; exit 2; }

NS=berth-$NAME
VETH_HOST=vbh-$NAME
VETH_NS=vbn-$NAME
BASE=/var/lib/berth-remote/$NAME
EXEC_ROOT=/run/brd-$NAME
SOCK=$EXEC_ROOT.sock
PIDFILE=$EXEC_ROOT.pid
SSHD_PIDFILE=$EXEC_ROOT.sshd.pid
LOG=/tmp/berth-remote-$NAME.dockerd.log
CGROUP_PARENT=berth-remote-$NAME
GUARD_ROUTE="unreachable 100.64.0.0/10 metric 4242"
DOCKERD=/usr/sbin/dockerd
DOCKER=/usr/bin/docker
SSHD=/usr/sbin/sshd

dockerd_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && grep -q dockerd "/proc/$pid/comm" 2>/dev/null && echo "$pid"
}

# Asked over its unix socket, which answers the same with or without TLS on tcp.
answers() { [ -S "$SOCK" ] && timeout 5 "$DOCKER" -H "unix://$SOCK" version >/dev/null 2>&1; }

# wait_until <seconds> <what failed> <log file> <command…>: runs the command every 0.1 s until it
# succeeds; past the deadline says what failed, shows the log's last lines and exits 1.
wait_until() {
  local deadline=$((SECONDS + $1)) what=$2 log=$3
  shift 3
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "remote-docker: $what; last log lines:" >&2
      tail -n 20 "$log" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
}

make_network() {
  ip netns list | grep -qw "^$NS" || ip netns add "$NS"
  if ! ip link show "$VETH_HOST" >/dev/null 2>&1; then
    ip link add "$VETH_HOST" type veth peer name "$VETH_NS"
    ip link set "$VETH_NS" netns "$NS"
  fi
  ip addr replace "$HOST_IP/24" dev "$VETH_HOST"
  ip link set "$VETH_HOST" up
  ip -n "$NS" addr replace "$NS_IP/24" dev "$VETH_NS"
  ip -n "$NS" link set "$VETH_NS" up
  ip -n "$NS" link set lo up
  ip -n "$NS" route replace default via "$HOST_IP"
  # shellcheck disable=SC2086
  ip route replace $GUARD_ROUTE
}

start_dockerd() {
  mkdir -p "$BASE/data" "$EXEC_ROOT"
  local tcp=(-H "tcp://$NS_IP:2375" --tls=false)
  if [ -n "$TLS_DIR" ]; then
    tcp=(-H tcp://0.0.0.0:2376 --tlsverify --tlscacert "$TLS_DIR/ca.pem"
      --tlscert "$TLS_DIR/server-cert.pem" --tlskey "$TLS_DIR/server-key.pem")
  fi
  setsid nsenter --net="/run/netns/$NS" "$DOCKERD" \
    --data-root "$BASE/data" \
    --exec-root "$EXEC_ROOT" \
    --pidfile "$PIDFILE" \
    -H "unix://$SOCK" \
    "${tcp[@]}" \
    --bip "10.123.$N.1/24" \
    --cgroup-parent "/$CGROUP_PARENT" \
    >>"$LOG" 2>&1 </dev/null &
  wait_until 30 "dockerd in $NS did not answer within 30s" "$LOG" answers
}

up() {
  [[ "$N" =~ ^[0-9]+$ ]] && [ "$N" -ge 1 ] && [ "$N" -le 254 ] || usage
  make_network
  answers || start_dockerd
  if [ -n "$TLS_DIR" ]; then echo "tcp://$NS_IP:2376"; else echo "tcp://$NS_IP:2375"; fi
}

sshd_pid() {
  [ -f "$SSHD_PIDFILE" ] || return 1
  local pid
  pid=$(cat "$SSHD_PIDFILE")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && grep -q sshd "/proc/$pid/comm" 2>/dev/null && echo "$pid"
}

start_sshd() {
  local port=$1 dir ns_ip pid
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || usage
  dir=$(cd "$2" && pwd)
  [ -r "$dir/ssh_host_ed25519_key" ] && [ -r "$dir/authorized_keys" ] ||
    { echo "remote-docker: $dir needs ssh_host_ed25519_key and authorized_keys" >&2; exit 2; }
  [ -x "$SSHD" ] || { echo "remote-docker: $SSHD is missing (Debian package openssh-server)" >&2; exit 1; }
  answers || { echo "remote-docker: no dockerd in $NS; run 'up' first" >&2; exit 1; }
  if pid=$(sshd_pid); then echo "$pid"; return; fi
  ns_ip=$(ip -n "$NS" -4 -o addr show dev "$VETH_NS" | awk '{ sub(/\/.*/, "", $4); print $4 }')
  mkdir -p /run/sshd
  cat >"$dir/sshd_config" <<SSHD_CONFIG
Port $port
ListenAddress $ns_ip
HostKey $dir/ssh_host_ed25519_key
AuthorizedKeysFile $dir/authorized_keys
PidFile $SSHD_PIDFILE
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
SetEnv DOCKER_HOST=unix://$SOCK
SSHD_CONFIG
  nsenter --net="/run/netns/$NS" "$SSHD" -f "$dir/sshd_config" -E "$dir/sshd.log"
  wait_until 10 "sshd in $NS did not listen on $ns_ip:$port" "$dir/sshd.log" sshd_listening "$ns_ip" "$port"
  sshd_pid
}

sshd_listening() { sshd_pid >/dev/null && timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

stop_sshd() {
  local pid
  if pid=$(sshd_pid); then kill -TERM "$pid" 2>/dev/null || true; fi
  rm -f "$SSHD_PIDFILE"
}

stop_dockerd() {
  local pid i
  pid=$(dockerd_pid) || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 150); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null || true
}

# containerd and shims dockerd left behind (after a KILL) name its exec-root on their command line.
# One grep over every cmdline (two processes per /proc entry took 94 s with ~1,100 processes); the
# pattern's [/] keeps grep's own command line from matching it.
kill_leftovers() {
  local f pid
  for f in $(grep -lsa -- "$EXEC_ROOT[/]" /proc/[0-9]*/cmdline || true); do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    [ "$pid" = "$$" ] || kill -KILL "$pid" 2>/dev/null || true
  done
}

unmount_under() {
  local dir=$1
  awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

remove_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/"$CGROUP_PARENT" /sys/fs/cgroup/"$CGROUP_PARENT"; do
    [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

down() {
  stop_sshd
  stop_dockerd
  kill_leftovers
  unmount_under "$EXEC_ROOT"
  unmount_under "$BASE"
  ip link del "$VETH_HOST" 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  remove_cgroups
  rm -rf "$EXEC_ROOT" "$SOCK" "$PIDFILE" "$BASE"
}

unguard() {
  # shellcheck disable=SC2086
  ip netns list | grep -q '^berth-' || ip route del $GUARD_ROUTE 2>/dev/null || true
}

case "$ACTION" in
  up)
    NS_IP=100.64.$N.2
    HOST_IP=100.64.$N.1
    up
    ;;
  sshd) start_sshd "${3:-}" "${4:-.}" ;;
  down) down ;;
  unguard) unguard ;;
  *) usage ;;
esac
