#!/usr/bin/env bash
# Issue 21: `mvn javadoc:javadoc` builds the API docs of every module without errors (doclint errors
# fail the build, missing comments do not: the plugin's configuration in the parent pom). Run in CI so
# a broken {@link} or a bare '<' in a comment is caught the day it is written.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
if ! mvn -B -ntp -q -DskipTests package javadoc:javadoc >"$LOG" 2>&1; then
  grep -E 'error:|ERROR\] /' "$LOG" | head -40 >&2 || tail -40 "$LOG" >&2
  echo "javadoc.sh: FAIL: mvn javadoc:javadoc reported errors (above)" >&2
  exit 1
fi
n=$(find "$ROOT" -path '*/target/reports/apidocs/index.html' -o -path '*/target/site/apidocs/index.html' | wc -l)
echo "javadoc.sh: ok: API docs of $n modules, no errors"
