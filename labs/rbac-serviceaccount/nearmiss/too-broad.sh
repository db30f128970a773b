#!/usr/bin/env bash
# Near miss: the Role grants writing verbs on Pods too, delete included.
# fails: rbac/least-privilege
set -euo pipefail
ns=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl create serviceaccount reader
kubectl create role pod-reader --verb=get,list,watch,create,update,patch,delete --resource=pods,pods/log
kubectl create rolebinding reader-binding --role=pod-reader --serviceaccount="$ns:reader"
