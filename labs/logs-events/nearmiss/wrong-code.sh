#!/usr/bin/env bash
# Near miss: the code copied by hand with two digits swapped, and the label's value recorded
# along with its key.
# fails: logs/code events/label-key
set -euo pipefail
kubectl create configmap incident --from-literal=code=PGW-7713 --from-literal=missing-label=kcnaprep.dev/pool=reports
