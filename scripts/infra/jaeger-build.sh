#!/usr/bin/env bash
# Builds Jaeger (the v2 backend: OTLP receiver on :4317/:4318, in-memory store, query API and UI on
# :16686) from its Go module once, into a cache outside the checkout keyed by version, and prints
# the binary's path. Jaeger publishes no Debian package and Docker is not assumed; the Go toolchain
# fetches the module from the Go proxy. A later call finds the cached binary and returns at once.
set -euo pipefail
VERSION=${JAEGER_VERSION:-v1.75.0}
CACHE=${INGEST_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/254carbon-ingest}
BIN="$CACHE/jaeger-$VERSION/jaeger"
if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "jaeger-build: the Go toolchain (go) is needed to build Jaeger $VERSION" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$BIN")"
echo "jaeger-build: building Jaeger $VERSION (once; a few minutes) into $(dirname "$BIN")" >&2
(
  cd "$work"
  go mod init jaeger-build >/dev/null 2>&1
  go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$VERSION" >&2
  GOFLAGS=-mod=mod go build -o "$BIN.tmp" github.com/jaegertracing/jaeger/cmd/jaeger >&2
)
mv "$BIN.tmp" "$BIN"
echo "$BIN"
