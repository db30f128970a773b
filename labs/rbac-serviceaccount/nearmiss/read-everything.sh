#!/usr/bin/env bash
# Near miss: a "read-only" Role that reads far more than Pods and their logs: Secrets,
# ConfigMaps, Services, Deployments and events too. (Binding the built-in ClusterRole view is the
# same mistake; on a shared cluster the learner may not bind view, so CI proves this form.)
# fails: rbac/least-privilege
set -euo pipefail
ns=$(kubectl config view --minify -o jsonpath='{..namespace}')
kubectl create serviceaccount reader
kubectl create role pod-reader --verb=get,list,watch --resource=pods,pods/log,secrets,configmaps,services,deployments.apps,events
kubectl create rolebinding reader-binding --role=pod-reader --serviceaccount="$ns:reader"
