// hub — relays every outbox stream to XPUB and accepts external events on
// XSUB (docs/architecture.md §4).
//
// Relay: learns sm:{*}:outbox streams from the registry (every
// discover_ms; a keyspace SCAN every scan_ms catches unregistered ones),
// XREAD BLOCKs on all of them from its cursor (hash sm:{hub}:cursor, field =
// stream, written after publishing: at-least-once) and publishes each entry
// as [evt.<type>][<stream>/<entry id>][seq][envelope with seq and epoch].
// New subscribers get `sys.hello` (XPUB welcome message). Every
// trim_interval_ms each stream is trimmed below what every consumer group
// and the hub still need, less trim_retention entries, and consumers that
// have nothing pending and were idle longer than consumer_idle_ms (replicas
// that are gone) are removed from the groups.
// Ingress: a hub_ingest actor with its own Redis connection.
#ifndef HUB_HUB_H
#define HUB_HUB_H

#include <czmq.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_config.h"

#define HUB_CURSOR_KEY   "sm:{hub}:cursor"
#define HUB_ENDPOINT_MAX 256

typedef struct hub hub_t;

// Everything the hub needs; strings are copied by hub_new.
typedef struct {
    char pub_endpoint[HUB_ENDPOINT_MAX];   // XPUB bind, "tcp://127.0.0.1:5556"
    char sub_endpoint[HUB_ENDPOINT_MAX];   // XSUB bind, "tcp://127.0.0.1:5557"
    char redis_host[HUB_ENDPOINT_MAX];     // Redis host
    int redis_port;                        // Redis port
    char redis_password[HUB_ENDPOINT_MAX]; // "" for none
    int redis_timeout_ms;                  // command timeout
    int sndhwm;                            // XPUB send high-water mark
    int batch;                             // entries per XREAD
    int block_ms;                          // XREAD BLOCK (< redis timeout)
    int cursor_save_ms;                    // cursor saves while busy
    int gather_ms;                         // pause after a partial read
    int discover_ms;                       // registry read period
    int scan_ms;                           // keyspace SCAN period (0: never)
    int trim_interval_ms;                  // trim period
    int64_t trim_retention;                // entries kept below the safe point
    int64_t dedupe_ttl_ms;                 // ingest (source, id) memory
    int64_t consumer_idle_ms;              // reap idle consumers (0: never)
} hub_options_t;

// Program options of the hub binary (the common ones come from cm_config).
extern const cm_config_option_t hub_config_options[];

// Fill options from a loaded configuration.
void hub_options_from_config(const cm_config_t *config, hub_options_t *options);

// Bind XPUB and start the ingress actor. NULL (logged) when a bind fails.
// Caller owns the result.
hub_t *hub_new(const hub_options_t *options);

// Stop ingress, close sockets; safe when *self_p is NULL.
void hub_destroy(hub_t **self_p);

// Relay until interrupted (SIGINT/SIGTERM) or, when pipe is not NULL, until
// "$TERM" arrives on it. Returns 0.
int hub_run(hub_t *self, zsock_t *pipe);

// Run one relay round: discovery/trim when due, then one XREAD (blocking at
// most block_ms). Returns entries published, or a negative cm_status_t.
int hub_relay_once(hub_t *self);

// zactor body for tests and benchmarks: args is a hub_options_t (copied).
// After zactor_new, read the status with zsock_recv(actor, "i", &status):
// 0 when bound (then it relays until $TERM), -1 otherwise.
void hub_actor(zsock_t *pipe, void *args);

#endif
