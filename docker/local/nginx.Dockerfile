# nginx from Debian's package (nginx-light 1.22), for machines with no image
# registry (scripts/compose-smoke, SM_LOCAL_IMAGES=1). Stands in for
# `nginx:stable`: master in the foreground, config at /etc/nginx/nginx.conf
# (compose mounts docker/nginx/nginx.conf there), curl for the healthcheck,
# SIGQUIT for a graceful stop.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      nginx-light curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && rm -f /etc/nginx/sites-enabled/default
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
