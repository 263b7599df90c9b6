#!/usr/bin/env bash
# Renders the ECS templates with a values file into a directory, then (with --apply) registers the
# task definitions and the AppAutoScaling targets and policies. Needs envsubst (gettext) and the AWS CLI.
#   deploy/ecs/render.sh deploy/ecs/example.env out/ [--apply]
set -euo pipefail
values=${1:?values file}; out=${2:?output directory}; apply=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
set -a; . "$values"; set +a
vars=$(grep -ohE '\$\{[A-Z_]+\}' "$here"/*.json "$here"/autoscaling/*.json | sort -u | tr -d '\n')
mkdir -p "$out/autoscaling"
for f in "$here"/*.json "$here"/autoscaling/*.json; do
  rel=${f#"$here"/}
  envsubst "$vars" < "$f" > "$out/$rel"
  if grep -q '\${' "$out/$rel"; then echo "unresolved placeholder in $rel" >&2; exit 1; fi
done
if [ "$apply" = "--apply" ]; then
  for f in "$out"/*.json; do aws ecs register-task-definition --cli-input-json "file://$f" > /dev/null; done
  for f in "$out"/autoscaling/*-target.json; do aws application-autoscaling register-scalable-target --cli-input-json "file://$f"; done
  for f in "$out"/autoscaling/*-policy.json; do aws application-autoscaling put-scaling-policy --cli-input-json "file://$f" > /dev/null; done
fi
