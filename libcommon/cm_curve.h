// cm_curve — CURVE security for every ZeroMQ socket of the bus
// (docs/deploy.md, "CURVE on the bus").
//
// Process-wide and config-driven. With curve/secret_key_file empty (the
// default, e.g. `make run` on loopback) every call below is a no-op and the
// bus is plain TCP. With it set, the process:
//   - loads its own key pair from that file (a zcert secret file made by
//     stationmaster-keys) and the servers' public keys from
//     curve/public_dir/broker.key and curve/public_dir/hub.key;
//   - as a server (broker ROUTER, hub XPUB and XSUB) runs a ZAP handler that
//     admits only the client public keys listed in curve/public_dir/clients/
//     (one zcert public file each), and sets zap_enforce_domain, so no
//     handler means no connection (czmq's CURVE fails open otherwise);
//   - as a client (workers and clients to the broker, subscribers to the
//     hub's XPUB, publishers to its XSUB) presents its key pair and checks
//     the server's key.
// Setup failures are never silent: cm_curve_setup_or_exit stops the
// process, and cm_curve_server / cm_curve_client return -1 so the caller
// destroys the socket instead of using it in plain TCP. Secret keys are
// never logged; refused clients are logged once per key (event
// curve.client.denied, with the public key and the peer address).
//
// Call the socket functions after zsock_new and before bind/connect: CURVE
// options apply only to later binds and connects.
#ifndef LIBCOMMON_CM_CURVE_H
#define LIBCOMMON_CM_CURVE_H

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>

#include "cm_config.h"

// Exit code when CURVE is configured but cannot be set up.
#define CM_CURVE_EXIT 78

// ZAP domain of the bus's server sockets.
#define CM_CURVE_DOMAIN "stationmaster"

// Configure from the two paths (NULL or "" secret_key_file: plain). Loads
// and checks every key; does not start anything yet. Returns 0, or -1 with
// one line in error (no key material in it). Replaces an earlier setup.
int cm_curve_setup(const char *secret_key_file, const char *public_dir,
                   char *error, size_t error_size);

// cm_curve_setup from curve/secret_key_file and curve/public_dir; on failure
// logs curve.init_failed and exits CM_CURVE_EXIT. Logs curve.enabled (the
// process's public key) or nothing when plain. Call once from main.
void cm_curve_setup_or_exit(const cm_config_t *config);

// True when keys are configured.
bool cm_curve_enabled(void);

// Make sock a CURVE server admitting only the listed clients (starts the
// ZAP handler on first use). Returns 0 (also when plain), -1 on failure.
int cm_curve_server(zsock_t *sock);

// Make sock a CURVE client of server "broker" or "hub". Returns 0 (also when
// plain), -1 on failure (unknown server name, option refused).
int cm_curve_client(zsock_t *sock, const char *server);

// Number of clients refused so far (tests).
size_t cm_curve_denied_count(void);

// Stop the ZAP handler and forget the keys: back to plain (tests).
void cm_curve_reset(void);

#endif
