#!/usr/bin/env bash
# Prints the JAVA_HOME of a JDK >= 21 (the build and the task JAR need 21+).
# Looks at $JAVA_HOME, then `java` on PATH, then /usr/lib/jvm/*. Exits 1 with a message if none.
set -euo pipefail
want=21
major_of() { # $1 = java binary
  # A JDK's `release` file names its version: read it instead of starting a JVM (every task run
  # passes here; a JVM start costs ~0.1 s). Fall back to asking the JVM.
  local release; release="$(dirname "$(dirname "$1")")/release"
  if [ -f "$release" ]; then
    local v; v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release" | head -1)
    if [ -n "$v" ]; then echo "$v"; return 0; fi
  fi
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}
check() { # $1 = candidate home
  local home=$1
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  local m; m=$(major_of "$home/bin/java") || return 1
  [ -n "$m" ] && [ "${m%%.*}" -ge "$want" ] 2>/dev/null || return 1
  echo "$home"
}
if [ -n "${JAVA_HOME:-}" ] && check "$JAVA_HOME"; then exit 0; fi
if command -v java >/dev/null 2>&1; then
  home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  if check "$home"; then exit 0; fi
fi
for home in $(ls -d /usr/lib/jvm/* /opt/java/* /opt/jdk* 2>/dev/null | sort -rV); do
  if check "$home"; then exit 0; fi
done
echo "find-jdk: no JDK >= $want found (checked \$JAVA_HOME, java on PATH, /usr/lib/jvm). Install one, e.g. apt-get install openjdk-21-jdk-headless, or set JAVA_HOME." >&2
exit 1
