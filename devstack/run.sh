#!/usr/bin/env bash
# One command for the local run: build (skipping tests) if needed, then start everything.
# Output: a progress list and the banner; service logs in .mailer/mailer.log (--verbose: here too).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=devstack/launcher/target/launcher-0.1.0-SNAPSHOT-exec.jar
if [ ! -f "$JAR" ] || [ -n "$(find . -path ./.mailer -prune -o -name '*.java' -newer "$JAR" -print -quit)" ]; then
  ./mvnw -q -B -DskipTests package
fi
exec java ${JAVA_OPTS:-} -jar "$JAR" "$@"
