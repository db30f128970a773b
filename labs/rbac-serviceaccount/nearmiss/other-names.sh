#!/usr/bin/env bash
# Near miss: the right rights, but the Role and the RoleBinding carry other names than the task
# fixes (tools and colleagues look for pod-reader and reader-binding).
# fails: rbac/role rbac/binding
set -euo pipefail
ns=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl create serviceaccount reader
kubectl create role reader-role --verb=get,list,watch --resource=pods,pods/log
kubectl create rolebinding reader --role=reader-role --serviceaccount="$ns:reader"
