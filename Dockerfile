# kcnaprep: one static binary with embedded content, on a small non-root Debian image that also
# carries the docker CLI (kind drives Docker through it to create lab clusters) and labapp, the
# labs' workload program, which the server packs into an image and loads into lab clusters.
#
#   docker build -t kcnaprep .
#   docker run -d --name kcnaprep --network host -v kcnaprep-data:/data \
#     -v /var/run/docker.sock:/var/run/docker.sock --group-add "$(stat -c %g /var/run/docker.sock)" kcnaprep
#
# --network host: kind publishes each lab cluster's API server on the host's 127.0.0.1 only, so
# the server must share the host's loopback to reach it. Without labs, `-p 8080:8080` is enough.

ARG GO_VERSION=1.26
ARG DEBIAN_VERSION=bookworm
ARG DOCKER_CLI_VERSION=28

FROM golang:${GO_VERSION}-${DEBIAN_VERSION} AS build
WORKDIR /src
# Modules first, in a layer of their own, so code changes do not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.buildVersion=${VERSION}" -o /out/server ./cmd/server \
    && CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/labapp ./cmd/labapp

FROM docker:${DOCKER_CLI_VERSION}-cli AS dockercli

FROM debian:${DEBIAN_VERSION}-slim
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin kcnaprep \
    && mkdir -p /data && chown kcnaprep:kcnaprep /data
COPY --from=dockercli /usr/local/bin/docker /usr/local/bin/docker
COPY --from=build /out/server /out/labapp /usr/local/bin/
# Listening on 0.0.0.0 with no accounts would let everyone in as admin, so the server refuses
# it: create an account first (echo PASS | docker run -i --rm -v kcnaprep-data:/data IMAGE user
# add NAME --role admin), or set KCNAPREP_ALLOW_OPEN_SINGLE_LEARNER=1 for a container only you
# can reach.
ENV KCNAPREP_ADDR=0.0.0.0:8080 \
    KCNAPREP_DATA_DIR=/data \
    KCNAPREP_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
USER kcnaprep:kcnaprep
ENTRYPOINT ["/usr/local/bin/server"]
CMD ["serve"]
