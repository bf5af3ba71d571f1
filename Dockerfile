# Multi-stage build: a static binary on a minimal base, run as a non-root
# user, with the database on a volume.
#
#   docker build -t mmobot .
#   docker run -d --name mmobot -e MMOBOT_TELEGRAM_TOKEN=... -v mmobot-data:/data mmobot

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO off: a static binary that needs no libc in the final image.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/mmobot ./cmd/mmobot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
# Time zone data for TZ and logs; the bot itself also embeds it.
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /out/mmobot /usr/local/bin/mmobot
# The volume directory must belong to the non-root user (uid 65532).
COPY --from=build --chown=65532:65532 /out/data /data
ENV MMOBOT_DATA_PATH=/data/mmo.db
VOLUME ["/data"]
USER 65532:65532
WORKDIR /data
ENTRYPOINT ["/usr/local/bin/mmobot"]
CMD ["run"]
