// broker — the Majordomo broker (docs/architecture.md §2) as a zactor.
//
// Routes MDP/0.1 requests (cm_mdp.h) from clients to the workers of a
// service, at most `credit` in flight per worker, least loaded first. Each
// service has a bounded FIFO; the broker answers at once with a 503 error
// reply when a service has no worker (code service_unavailable) or its queue
// is full (queue_full). It reads only `id` and `deadline` of a request: a
// request that is no envelope, has no id or no deadline gets a 400 (413 when
// larger than CM_ENVELOPE_MAX_BYTES). A request whose deadline has passed is
// never dispatched and dropped without a reply: its client (the gateway)
// answers 504 at the deadline itself and would drop a late reply anyway.
// When a worker misses CM_MDP_LIVENESS heartbeats, every request it held is
// answered 503 worker_lost at once. mmi.service and mmi.stats are served.
//
// Pipe commands: "$TERM"; "PORT" → int (bound TCP port, 0 for non-TCP, -1
// when the bind failed).
#ifndef BROKER_BROKER_H
#define BROKER_BROKER_H

#include <czmq.h>

#define BROKER_QUEUE_MAX_DEFAULT 1000 // requests waiting per service
#define BROKER_TICK_MS           100  // expiry and deadline sweep interval
#define BROKER_WARNED_MAX        1024 // peers remembered for warn-once
#define BROKER_BATCH_MAX         256  // messages handled per wake-up

// What the actor is started with; copied before the actor signals ready, so
// it may live on the caller's stack.
typedef struct {
    const char *endpoint; // bind endpoint, e.g. "tcp://127.0.0.1:*"
    const char *inproc;   // also bound when set: "inproc://…" for clients
                          // of the process that runs the actor (NULL: none)
    int queue_max;        // requests waiting per service (>= 1)
    int heartbeat_ms;     // heartbeat interval (0: CM_MDP_HEARTBEAT_MS)
} broker_args_t;

// The actor body: zactor_new(broker_actor, &args). Runs until "$TERM" or
// an interrupt; logs broker.bind_failed and answers PORT with -1 when the
// endpoint cannot be bound.
void broker_actor(zsock_t *pipe, void *args);

// Ask a running broker actor for its bound port (see PORT). Returns the
// port, or -1 on failure.
int broker_port(zactor_t *broker);

#endif
