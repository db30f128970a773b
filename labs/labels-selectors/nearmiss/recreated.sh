#!/usr/bin/env bash
# Near miss: the Pods are deleted and run again with the new labels instead of being relabelled:
# new Pods, restarted apps.
# fails: team/labelled retire/relabelled
set -euo pipefail
kubectl delete pod cart-1 cart-2 pay-1 search-1 --wait=true
kubectl run cart-1 --image=kcnaprep.local/labapp:1.0 --labels=app=cart,tier=backend,env=prod,team=checkout
kubectl run cart-2 --image=kcnaprep.local/labapp:1.0 --labels=app=cart,tier=backend,env=prod,team=checkout
kubectl run pay-1 --image=kcnaprep.local/labapp:1.0 --labels=app=pay,tier=backend,env=prod,team=checkout
kubectl run search-1 --image=kcnaprep.local/labapp:1.0 --labels=app=search,env=prod,retiring=true
kubectl get pods --show-labels
