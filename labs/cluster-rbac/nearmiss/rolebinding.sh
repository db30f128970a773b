#!/usr/bin/env bash
# Near miss: a RoleBinding instead of a ClusterRoleBinding. It grants the ClusterRole only inside
# the namespace, and nodes belong to no namespace: node-watcher still cannot list them.
# fails: rbac/binding rbac/access
set -euo pipefail
ns=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl create serviceaccount node-watcher
kubectl create clusterrole node-viewer --verb=get,list,watch --resource=nodes
kubectl create rolebinding node-watcher-view --clusterrole=node-viewer --serviceaccount="$ns:node-watcher"
