#!/usr/bin/env bash
# Near miss: three replicas of the wrong image tag (it does not exist, so nothing gets ready).
# fails: create/image scale/ready
set -euo pipefail
kubectl create deployment web --image=kcnaprep.local/labapp:1.1 --replicas=3
