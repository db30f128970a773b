#!/usr/bin/env bash
# Near miss: labels every cart and pay Pod, the debug ones too.
# fails: team/labelled
set -euo pipefail
kubectl label pods -l 'app in (cart,pay)' team=checkout
