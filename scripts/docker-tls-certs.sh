#!/usr/bin/env bash
# Certificates for a Docker engine that only talks TLS with verified clients (dockerd --tlsverify),
# made with openssl the way Docker's "Protect the daemon socket" guide does:
#
#   scripts/docker-tls-certs.sh <dir> <server-ip-or-name> [days]
#
# writes into <dir> (created, mode 700):
#   ca.pem, ca-key.pem                  a fresh CA
#   server-cert.pem, server-key.pem     for dockerd, valid for the given IP or DNS name and 127.0.0.1
#   cert.pem, key.pem                   a client certificate (extendedKeyUsage clientAuth)
# so <dir> itself is a client cert folder (DOCKER_CERT_PATH layout: ca.pem, cert.pem, key.pem).
# Keys are written mode 600. Nothing outside <dir> is touched.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 <dir> <server-ip-or-name> [days]" >&2; exit 2; }
DIR=$1
SERVER=$2
DAYS=${3:-30}
if [[ "$SERVER" =~ ^[0-9.]+$ || "$SERVER" == *:* ]]; then SAN="IP:$SERVER,IP:127.0.0.1"; else SAN="DNS:$SERVER,IP:127.0.0.1"; fi

mkdir -p "$DIR"
chmod 700 "$DIR"
cd "$DIR"
umask 077

openssl genrsa -out ca-key.pem 2048 2>/dev/null
openssl req -new -x509 -days "$DAYS" -key ca-key.pem -sha256 -subj "/CN=berth test CA" -out ca.pem

openssl genrsa -out server-key.pem 2048 2>/dev/null
openssl req -new -key server-key.pem -subj "/CN=$SERVER" -out server.csr
printf 'subjectAltName = %s\nextendedKeyUsage = serverAuth\n' "$SAN" >server-ext.cnf
openssl x509 -req -days "$DAYS" -sha256 -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
  -extfile server-ext.cnf -out server-cert.pem 2>/dev/null

openssl genrsa -out key.pem 2048 2>/dev/null
openssl req -new -key key.pem -subj "/CN=berth client" -out client.csr
printf 'extendedKeyUsage = clientAuth\n' >client-ext.cnf
openssl x509 -req -days "$DAYS" -sha256 -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial \
  -extfile client-ext.cnf -out cert.pem 2>/dev/null

rm -f server.csr client.csr server-ext.cnf client-ext.cnf ca.srl
chmod 644 ca.pem server-cert.pem cert.pem
echo "$DIR"
