# Redis from Debian's package, for machines with no image registry
# (scripts/compose-smoke, SM_LOCAL_IMAGES=1). Stands in for `redis:7`:
# the same command line (compose's `command:`), data in /data, runs as the
# unprivileged `redis` user. Debian bookworm ships Redis 7.0.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o redis -g redis -m 0750 /data
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server", "--dir", "/data"]
