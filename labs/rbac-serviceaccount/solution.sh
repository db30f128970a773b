#!/usr/bin/env bash
# Solution: ServiceAccount, Role with read verbs on pods and pods/log, RoleBinding.
set -euo pipefail
ns=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl create serviceaccount reader
kubectl create role pod-reader --verb=get,list,watch --resource=pods,pods/log
kubectl create rolebinding reader-binding --role=pod-reader --serviceaccount="$ns:reader"
kubectl auth can-i list pods --as="system:serviceaccount:$ns:reader"
