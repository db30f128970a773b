# Sourced by `make test`: exports the private Docker engine, kind node image and kubectl of
# ../shared/kind-offline when this checkout sits beside it (the project's sandbox and CI).
if [ -x ../shared/kind-offline/kind-offline ]; then
  eval "$(../shared/kind-offline/kind-offline env)"
  export KCNAPREP_KIND_NODE_IMAGE="${KCNAPREP_KIND_NODE_IMAGE:-$KIND_NODE_IMAGE}"
fi
# The learners' toolbox image packs a static busybox: kind-offline has Debian's.
if [ -z "${KCNAPREP_TOOLBOX_BUSYBOX:-}" ] && [ -x "${KIND_OFFLINE_DIR:-/var/tmp/kind-offline}/debs/bb/bin/busybox" ]; then
  export KCNAPREP_TOOLBOX_BUSYBOX="${KIND_OFFLINE_DIR:-/var/tmp/kind-offline}/debs/bb/bin/busybox"
fi
