#!/usr/bin/env bash
# Alternative: other selectors that pick the same Pods (env=prod without search; env not prod),
# and the search Pod relabelled with a merge patch (null removes a label).
set -euo pipefail
kubectl get pods -l 'env=prod,app!=search'
kubectl label pods -l 'env=prod,app!=search' team=checkout
kubectl patch pod search-1 --type=merge -p '{"metadata":{"labels":{"tier":null,"retiring":"true"}}}'
kubectl delete pods -l 'env!=prod'
