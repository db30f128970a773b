#!/usr/bin/env bash
# Solution: ServiceAccount, ClusterRole on nodes, ClusterRoleBinding to the ServiceAccount.
set -euo pipefail
ns=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl create serviceaccount node-watcher
kubectl create clusterrole node-viewer --verb=get,list,watch --resource=nodes
kubectl create clusterrolebinding node-watcher-view --clusterrole=node-viewer --serviceaccount="$ns:node-watcher"
kubectl auth can-i list nodes --as="system:serviceaccount:$ns:node-watcher"
