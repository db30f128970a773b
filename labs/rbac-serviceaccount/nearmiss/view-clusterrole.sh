#!/usr/bin/env bash
# Near miss: the built-in ClusterRole view is bound instead of a Role of one's own. It reads Pods
# and their logs, and also ConfigMaps, Services, Deployments, events... more than the task allows.
# fails: rbac/binding rbac/least-privilege
set -euo pipefail
ns=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl create serviceaccount reader
kubectl create role pod-reader --verb=get,list,watch --resource=pods,pods/log
kubectl create rolebinding reader-binding --clusterrole=view --serviceaccount="$ns:reader"
