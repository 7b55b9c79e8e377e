#!/usr/bin/env bash
# Builds the local images berth's tests use, with no registry:
#   berth-test/busybox:latest  FROM scratch + static busybox (/bin/sh, httpd, nc, …)
#   berth-test/node:20         the host's /usr/bin/node + the libraries ldd names + busybox,
#                              /etc/passwd and the CA bundle, made with `docker import`
# Skips an image that already exists. Needs a running engine (scripts/docker-up.sh).
set -euo pipefail

DOCKER=${DOCKER:-/usr/bin/docker}
BUSYBOX=/bin/busybox

has_image() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

build_busybox() {
  local tag=berth-test/busybox:latest
  has_image "$tag" && return 0
  local ctx
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' RETURN
  mkdir -p "$ctx/bin"
  cp "$BUSYBOX" "$ctx/bin/busybox"
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY bin/busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "mkdir", "-p", "/tmp", "/www", "/etc", "/var/www"]
RUN ["/bin/sh", "-c", "echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && echo 'root:x:0:' > /etc/group && echo ok > /www/index.html"]
CMD ["/bin/sh"]
DOCKERFILE
  echo "test-images: building $tag" >&2
  DOCKER_BUILDKIT=0 "$DOCKER" build -q -t "$tag" "$ctx" >/dev/null
}

build_node() {
  local tag=berth-test/node:20
  has_image "$tag" && return 0
  local node root
  node=$(readlink -f "$(command -v node)")
  root=$(mktemp -d)
  trap 'rm -rf "$root"' RETURN
  mkdir -p "$root/usr/bin" "$root/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/app"
  chmod 1777 "$root/tmp"
  cp "$node" "$root/usr/bin/node"
  # Every library ldd names, at the same path (the dynamic loader included).
  ldd "$node" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  cp "$BUSYBOX" "$root/bin/busybox"
  "$BUSYBOX" --list | while read -r applet; do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  cp /etc/passwd /etc/group "$root/etc/"
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/" 2>/dev/null || true
  echo "test-images: importing $tag" >&2
  tar -C "$root" -c . | "$DOCKER" import \
    -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    -c 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    -c 'WORKDIR /app' \
    -c 'CMD ["node"]' \
    - "$tag" >/dev/null
}

build_busybox
build_node
"$DOCKER" image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^berth-test/' >&2
