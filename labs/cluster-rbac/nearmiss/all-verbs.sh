#!/usr/bin/env bash
# Near miss: every verb on nodes "to be safe": node-watcher may now delete and cordon nodes.
# fails: rbac/access
set -euo pipefail
ns=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl create serviceaccount node-watcher
kubectl create clusterrole node-viewer --verb='*' --resource=nodes
kubectl create clusterrolebinding node-watcher-view --clusterrole=node-viewer --serviceaccount="$ns:node-watcher"
