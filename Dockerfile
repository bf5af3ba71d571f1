# Multi-stage build: a static binary on a minimal base, run as a non-root
# user, with the database and its backups on a volume.
#
#   docker build --build-arg VERSION=1.2.0 --build-arg COMMIT=$(git rev-parse --short HEAD) -t mmobot .
#   docker run -d --name mmobot -e MMOBOT_TELEGRAM_TOKEN=... -v mmobot-data:/data -p 127.0.0.1:9090:9090 mmobot
#
# cmd/mmobot's TestDockerBuildFlags builds the binary with the go build line
# below, as it stands, and runs it: keep that line on one RUN.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
ARG COMMIT=unknown
# CGO off: a static binary that needs no libc in the final image; the
# version and commit are what `mmobot version` and /metrics report.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" -o /out/mmobot ./cmd/mmobot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
# Time zone data for TZ and logs; the bot itself also embeds it.
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /out/mmobot /usr/local/bin/mmobot
# The volume directory must belong to the non-root user (uid 65532).
COPY --from=build --chown=65532:65532 /out/data /data
# The database and the scheduled backups, both on the volume.
ENV MMOBOT_DATA_PATH=/data/mmo.db \
    MMOBOT_BACKUP_DIR=/data/backups \
    MMOBOT_HTTP_ADDR=:9090
VOLUME ["/data"]
# /livez, /readyz and /metrics (Prometheus). Publish it only where your
# monitoring runs, e.g. -p 127.0.0.1:9090:9090: the figures are the operator's.
EXPOSE 9090
USER 65532:65532
WORKDIR /data
# The image has no shell: the binary checks itself (0 ready, 1 not). It is
# not ready while Telegram cannot be reached or messages are stuck.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/mmobot", "status", "-q"]
ENTRYPOINT ["/usr/local/bin/mmobot"]
CMD ["run"]
