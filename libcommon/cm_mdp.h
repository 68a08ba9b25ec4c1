// cm_mdp — the Majordomo protocol MDP/0.1 (rfc.zeromq.org spec 7) as
// Stationmaster speaks it (docs/architecture.md §2): frames, commands and
// timing shared by the worker half (cm_mdp_worker.h), the client half
// (cm_mdp_client.h) and the broker. The body of a request or reply is one
// frame: the envelope JSON (cm_envelope.h).
//
//   client → broker  [""]["MDPC01"][service][body]
//   broker → client  [""]["MDPC01"][service][body]
//   worker → broker  [""]["MDPW01"][READY][service][credit]
//                    [""]["MDPW01"][REPLY][reply-to][""][body]
//                    [""]["MDPW01"][HEARTBEAT] / [DISCONNECT]
//   broker → worker  [""]["MDPW01"][REQUEST][reply-to][""][body]
//                    [""]["MDPW01"][HEARTBEAT] / [DISCONNECT]
//
// Extension: READY carries the worker's credit (decimal text, how many
// requests it may hold at once); a READY without it means credit 1. The
// reply-to frame is opaque to workers (the broker puts a request tag there).
// A worker that sends DISCONNECT is drained: it still replies to what it
// holds and heartbeats, and the broker answers with DISCONNECT once nothing
// is left in flight.
#ifndef LIBCOMMON_CM_MDP_H
#define LIBCOMMON_CM_MDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CM_MDP_CLIENT "MDPC01"
#define CM_MDP_WORKER "MDPW01"

#define CM_MDP_HEARTBEAT_MS     2500 // default heartbeat interval
#define CM_MDP_LIVENESS         3    // missed heartbeats before a peer is dead
#define CM_MDP_RECONNECT_MIN_MS 100  // first reconnect delay
#define CM_MDP_RECONNECT_MAX_MS 5000 // reconnect backoff cap
#define CM_MDP_CREDIT_MAX       1000 // largest credit a READY may carry
#define CM_MDP_SERVICE_MAX      128  // longest service name, bytes

typedef enum {
    CM_MDP_READY = 1,
    CM_MDP_REQUEST = 2,
    CM_MDP_REPLY = 3,
    CM_MDP_HEARTBEAT = 4,
    CM_MDP_DISCONNECT = 5
} cm_mdp_command_t;

// The command's name ("READY"), or NULL for a byte that is no command.
const char *cm_mdp_command_name(int command);

// Parse a command frame (one byte 1..5). Returns the command or -1.
int cm_mdp_command_parse(const void *data, size_t size);

// True when name is a usable service name: 1..CM_MDP_SERVICE_MAX-1 bytes of
// [a-z0-9._-].
bool cm_mdp_service_is_valid(const void *name, size_t size);

// A loop that runs at least every interval_ms last ran at *last_ms and runs
// again at now_ms: how much longer than interval_ms the host kept it from
// running (0 when on time); *last_ms becomes now_ms. The broker and the
// workers add it to their peers' expiry: while the host did not run them
// it may not have run their peers either, so silence then proves nothing.
int64_t cm_mdp_overdue_ms(int64_t *last_ms, int64_t now_ms,
                          int64_t interval_ms);

#endif
