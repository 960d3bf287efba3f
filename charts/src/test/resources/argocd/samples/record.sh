#!/usr/bin/env bash
# Records every status the operator writes to StreamingPipelines on the sandbox through a lifecycle that passes each
# state the Argo CD health check tells apart; the samples next to this script were cut from its output.
#
#   flock /tmp/streampipe-sandbox.lock charts/src/test/resources/argocd/samples/record.sh <out-dir> [scenario...]
#
# Scenarios (default: all, in this order): lifecycle created-suspended missing-secret wrong-password-at-submission
# wrong-password-at-runtime.
#
# Output: <out-dir>/stream.json, every version of every pipeline as `kubectl get -w -o json` saw it, and
# <out-dir>/steps.log, what was done when. Brings the sandbox up and down itself.
set -euo pipefail
out="$(mkdir -p "$1" && cd "$1" && pwd)"
shift
scenarios=("$@")
(( ${#scenarios[@]} > 0 )) || scenarios=(lifecycle created-suspended missing-secret wrong-password-at-submission wrong-password-at-runtime)
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../../../.." && pwd)"
cd "$repo_root"
step() { echo "$(date -u +%H:%M:%S) $*" | tee -a "$out/steps.log" >&2; }

watcher=""
finish() {
  [[ -n "$watcher" ]] && kill "$watcher" 2>/dev/null || true
  e2e/bin/sandbox down >&2 || true
}
trap finish EXIT

e2e/bin/sandbox up > "$out/up.log" 2>&1
eval "$(sed -n 's/^ *export /export /p' "$out/up.log")"

phase() { kubectl get spipe "$1" -o jsonpath='{.status.phase}/{.status.observedGeneration}/{.metadata.generation}' 2>/dev/null; }
# Waits until `phase` of pipeline $1 is $2 at the current generation, at most $3 seconds.
await() {
  local deadline=$((SECONDS + $3)) seen
  while (( SECONDS < deadline )); do
    seen="$(phase "$1")"
    if [[ "$seen" =~ ^$2/([0-9]+)/([0-9]+)$ && "${BASH_REMATCH[1]}" == "${BASH_REMATCH[2]}" ]]; then
      step "$1 is $2 ($seen)"; return 0
    fi
    sleep 1
  done
  step "$1 did not become $2 within $3 s (last: $seen)"; return 1
}
# Waits until the JSONPath $2 of pipeline $1 equals $3, at most $4 seconds.
await_field() {
  local deadline=$((SECONDS + $4))
  while (( SECONDS < deadline )); do
    [[ "$(kubectl get spipe "$1" -o jsonpath="$2")" == "$3" ]] && { step "$1 $2 = $3"; return 0; }
    sleep 1
  done
  step "$1 $2 did not become $3 within $4 s"; return 1
}

kubectl get spipe --watch --output-watch-events=false -o json > "$out/stream.json" &
watcher=$!

lifecycle() {
step "apply sensor-anomalies"
kubectl apply -f examples/sensor-anomalies.yaml
await sensor-anomalies Running 240
await_field sensor-anomalies '{.status.conditions[?(@.type=="Ready")].status}' True 120

step "patch parallelism 2 -> 3 (an upgrade through a savepoint)"
kubectl patch spipe sensor-anomalies --type merge -p '{"spec":{"parallelism":3}}'
sleep 5
await_field sensor-anomalies '{.status.conditions[?(@.type=="Progressing")].reason}' Stable 300
await_field sensor-anomalies '{.status.conditions[?(@.type=="Ready")].status}' True 120

step "savepoint token rec-1"
kubectl patch spipe sensor-anomalies --type merge -p '{"spec":{"savepoints":{"triggerToken":"rec-1"}}}'
await_field sensor-anomalies '{.status.appliedTokens.savepoint}' rec-1 180

step "suspend"
kubectl patch spipe sensor-anomalies --type merge -p '{"spec":{"state":"suspended"}}'
await sensor-anomalies Suspended 180

step "resume"
kubectl patch spipe sensor-anomalies --type merge -p '{"spec":{"state":"running"}}'
await sensor-anomalies Running 240
await_field sensor-anomalies '{.status.conditions[?(@.type=="Ready")].status}' True 120

step "delete the FlinkDeployment behind the operator's back"
kubectl delete flinkdeployment sensor-anomalies --wait=false
sleep 20
await sensor-anomalies Running 240 || true

step "delete sensor-anomalies"
kubectl delete spipe sensor-anomalies --timeout=180s || true

}

created-suspended() {
step "apply a pipeline created suspended"
sed -e 's/^  name: sensor-anomalies$/  name: created-suspended/' -e 's/^spec:$/spec:\n  state: suspended/' \
  examples/sensor-anomalies.yaml | kubectl apply -f -
await created-suspended Suspended 120
sleep 5

}

missing-secret() {
step "apply a pipeline whose sink Secret does not exist"
sed -e 's/^  name: sensor-anomalies$/  name: missing-secret/' -e 's/{name: analytics-db}/{name: no-such-secret}/' \
  examples/sensor-anomalies.yaml | kubectl apply -f -
await_field missing-secret '{.status.conditions[?(@.type=="Ready")].reason}' SecretNotFound 120
sleep 5

}

wrong-password-at-submission() {
step "apply a pipeline whose sink password is wrong (creating its table fails when the job is submitted)"
kubectl create secret generic wrong-password --from-literal=username=analytics --from-literal=password=not-the-password
sed -e 's/^  name: sensor-anomalies$/  name: wrong-password/' -e 's/{name: analytics-db}/{name: wrong-password}/' \
  examples/sensor-anomalies.yaml | kubectl apply -f -
await_field wrong-password '{.status.conditions[?(@.type=="Degraded")].status}' True 300 || true
sleep 30
kubectl delete spipe wrong-password --timeout=120s || true
}

wrong-password-at-runtime() {
step "apply a pipeline whose sink password is wrong and which creates no table (its sink fails in the running job)"
kubectl create secret generic wrong-password-runtime --from-literal=username=analytics --from-literal=password=not-the-password
sed -e 's/^  name: sensor-anomalies$/  name: wrong-password-runtime/' -e 's/{name: analytics-db}/{name: wrong-password-runtime}/' \
  -e 's/createTable: true/createTable: false/' examples/sensor-anomalies.yaml | kubectl apply -f -
await_field wrong-password-runtime '{.status.conditions[?(@.type=="Degraded")].status}' True 300 || true
sleep 30
}

for scenario in "${scenarios[@]}"; do
  "$scenario"
done

kubectl get spipe -o yaml > "$out/final.yaml"
step "done"
