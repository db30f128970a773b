#!/usr/bin/env bash
# Near miss: the built-in ClusterRole view bound cluster-wide "to read things". view has no
# rule for nodes, and reads Pods, ConfigMaps and more in every namespace.
# fails: rbac/binding rbac/access
set -euo pipefail
ns=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl create serviceaccount node-watcher
kubectl create clusterrole node-viewer --verb=get,list,watch --resource=nodes
kubectl create clusterrolebinding node-watcher-view --clusterrole=view --serviceaccount="$ns:node-watcher"
