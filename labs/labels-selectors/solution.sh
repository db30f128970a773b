#!/usr/bin/env bash
# Solution: select by label, never by name.
set -euo pipefail
kubectl label pods -l 'app in (cart,pay),env=prod' team=checkout
kubectl label pod search-1 tier- retiring=true
kubectl delete pods -l 'env in (dev,test)' --wait=true
