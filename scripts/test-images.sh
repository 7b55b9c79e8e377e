#!/usr/bin/env bash
# Builds the local images berth's tests use, with no registry:
#   berth-test/busybox:latest  FROM scratch + static busybox (/bin/sh, httpd, nc, …)
#   berth-test/node:20         the host's /usr/bin/node and npm + the libraries ldd names +
#                              busybox, /etc/passwd (with a `node` user, as the official image
#                              has) and the CA bundle, made with `docker import`
#   berth-test/python:3.11     the host's python3.11 + its standard library + busybox, the same way
#                              (python3.11 is installed from the Debian mirror when missing)
#   berth-test/redis:7         Debian's redis-server and redis-cli + busybox (redis-server is
#                              installed from the Debian mirror when missing)
# Builds with `npm ci` use these as the mapped base images, so they trust the host's CA bundle.
# Skips an image that already exists at the current revision (BERTH_TEST_IMAGE_REV in its env).
# Needs a running engine (scripts/docker-up.sh).
set -euo pipefail

DOCKER=${DOCKER:-/usr/bin/docker}
BUSYBOX=/bin/busybox

has_image() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

# True when the image exists and was made by this revision of the script.
current_image() {
  "$DOCKER" image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$1" 2>/dev/null |
    grep -qx "BERTH_TEST_IMAGE_REV=$2"
}

# Installs a Debian package the images are made from (the mirror is reachable; the list may be stale).
apt_install() {
  echo "test-images: installing $1" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "$1" >/tmp/test-images-apt.log 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$1" >>/tmp/test-images-apt.log 2>&1; }
}

# Copies a binary or library and every library ldd names, at the same paths, into a root folder.
copy_with_libs() {
  local root=$1 file
  shift
  for file in "$@"; do
    # A library that needs nothing prints no path: grep finding none is fine.
    { ldd "$file" 2>/dev/null || true; } | { grep -o '/[^ ]*' || true; } | sort -u | while read -r lib; do
      [ -e "$root$lib" ] && continue
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  done
}

# Busybox as /bin/sh and every applet, unless the root already has that file.
add_busybox() {
  local root=$1
  mkdir -p "$root/bin"
  cp "$BUSYBOX" "$root/bin/busybox"
  "$BUSYBOX" --list | while read -r applet; do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  # Scripts start with `#!/usr/bin/env node` (npm itself does).
  mkdir -p "$root/usr/bin"
  ln -sf ../../bin/busybox "$root/usr/bin/env"
}

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

NODE_REV=3

build_node() {
  local tag=berth-test/node:20
  current_image "$tag" "$NODE_REV" && return 0
  local node npm root
  node=$(readlink -f "$(command -v node)")
  npm=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  root=$(mktemp -d)
  trap 'rm -rf "$root"' RETURN
  mkdir -p "$root/usr/bin" "$root/usr/lib/node_modules" "$root/etc/ssl/certs" "$root/tmp" "$root/app" \
    "$root/root" "$root/home/node"
  chmod 1777 "$root/tmp"
  cp "$node" "$root/usr/bin/node"
  copy_with_libs "$root" "$node"
  cp -r "$npm" "$root/usr/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
  add_busybox "$root"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'node:x:1000:1000::/home/node:/bin/sh' \
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'node:x:1000:' 'nogroup:x:65534:' >"$root/etc/group"
  chown 1000:1000 "$root/home/node"
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/" 2>/dev/null || true
  echo "test-images: importing $tag" >&2
  tar -C "$root" -c . | "$DOCKER" import \
    -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    -c 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    -c "ENV BERTH_TEST_IMAGE_REV=$NODE_REV" \
    -c 'WORKDIR /app' \
    -c 'CMD ["node"]' \
    - "$tag" >/dev/null
}

PYTHON_REV=2

build_python() {
  local tag=berth-test/python:3.11
  current_image "$tag" "$PYTHON_REV" && return 0
  local python=/usr/bin/python3.11 stdlib=/usr/lib/python3.11 root
  [ -x "$python" ] || apt_install python3.11
  root=$(mktemp -d)
  trap 'rm -rf "$root"' RETURN
  mkdir -p "$root/usr/bin" "$root/usr/lib" "$root/etc/ssl/certs" "$root/tmp" "$root/root" "$root/home"
  chmod 1777 "$root/tmp"
  cp "$python" "$root/usr/bin/python3.11"
  ln -s python3.11 "$root/usr/bin/python3"
  ln -s python3.11 "$root/usr/bin/python"
  # The standard library without its tests, IDLE, Tk and third-party packages.
  tar -C /usr/lib -c --exclude='python3.11/test' --exclude='python3.11/idlelib' \
    --exclude='python3.11/tkinter' --exclude='python3.11/dist-packages' \
    --exclude='python3.11/site-packages' --exclude='__pycache__' python3.11 | tar -C "$root/usr/lib" -x
  copy_with_libs "$root" "$python" "$stdlib"/lib-dynload/*.so
  add_busybox "$root"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
    >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/" 2>/dev/null || true
  echo "test-images: importing $tag" >&2
  tar -C "$root" -c . | "$DOCKER" import \
    -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    -c 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    -c "ENV BERTH_TEST_IMAGE_REV=$PYTHON_REV" \
    -c 'CMD ["python3"]' \
    - "$tag" >/dev/null
}

REDIS_REV=1

build_redis() {
  local tag=berth-test/redis:7
  current_image "$tag" "$REDIS_REV" && return 0
  command -v redis-server >/dev/null || apt_install redis-server
  local server cli root
  server=$(readlink -f "$(command -v redis-server)")
  cli=$(readlink -f "$(command -v redis-cli)")
  root=$(mktemp -d)
  trap 'rm -rf "$root"' RETURN
  mkdir -p "$root/usr/bin" "$root/etc" "$root/tmp" "$root/data"
  chmod 1777 "$root/tmp"
  cp "$server" "$root/usr/bin/redis-server"
  cp "$cli" "$root/usr/bin/redis-cli"
  copy_with_libs "$root" "$server" "$cli"
  add_busybox "$root"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' >"$root/etc/group"
  echo "test-images: importing $tag" >&2
  tar -C "$root" -c . | "$DOCKER" import \
    -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    -c "ENV BERTH_TEST_IMAGE_REV=$REDIS_REV" \
    -c 'WORKDIR /data' \
    -c 'EXPOSE 6379' \
    -c 'CMD ["redis-server", "--protected-mode", "no"]' \
    - "$tag" >/dev/null
}

build_busybox
build_node
build_python
build_redis
"$DOCKER" image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^berth-test/' >&2
