#!/usr/bin/env bash
# Near miss: the right Pods get the team label, but with a typo in its value.
# fails: team/labelled
set -euo pipefail
kubectl label pods -l 'app in (cart,pay),env=prod' team=check-out
