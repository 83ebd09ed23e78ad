#!/usr/bin/env bash
# Prints "<label>: N passed, N failed, N skipped" from the surefire/failsafe XML reports under java/
# (Maven runs quiet, so this is the closing line of a suite). Usage: test-summary.sh LABEL REPORT_DIR_NAME
label=$1; dir=${2:-surefire-reports}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tests=0; failures=0; errors=0; skipped=0
while IFS= read -r f; do
  line=$(grep -m1 -o '<testsuite [^>]*>' "$f")
  a() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$line"; }
  tests=$((tests + $(a tests))); failures=$((failures + $(a failures))); errors=$((errors + $(a errors))); skipped=$((skipped + $(a skipped)))
done < <(find "$root/java" -path "*/target/$dir/TEST-*.xml" 2>/dev/null)
echo "$label: $((tests - failures - errors - skipped)) passed, $((failures + errors)) failed, $skipped skipped"
