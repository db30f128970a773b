#!/usr/bin/env bash
# Near miss: Pods are readable, their logs are not.
# fails: rbac/least-privilege
set -euo pipefail
ns=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl create serviceaccount reader
kubectl create role pod-reader --verb=get,list,watch --resource=pods
kubectl create rolebinding reader-binding --role=pod-reader --serviceaccount="$ns:reader"
