// broker_service — the broker's bookkeeping nouns (docs/architecture.md §2): a
// request waiting in its service's FIFO or held by a worker, a service with its
// queue and the workers accepting its work, and a worker with the requests
// it holds. Internal to the broker: the structs are open so broker.c can
// route with them; broker.c owns the tables that own these objects.
#ifndef BROKER_SERVICE_H
#define BROKER_SERVICE_H

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#define BROKER_TAG_MAX 40  // "<8 hex>.<counter>" and NUL
#define BROKER_ID_MAX  128 // longest request id the broker keeps

typedef struct broker_service broker_service_t;
typedef struct broker_worker broker_worker_t;

// One request, owned by its service's queue while waiting and by the
// in-flight table once dispatched.
typedef struct {
    char tag[BROKER_TAG_MAX];  // reply-to token given to the worker
    char id[BROKER_ID_MAX];    // the envelope's id: correlation_id of replies
    int64_t deadline_ms;       // epoch ms; never dispatched after it
    zframe_t *client;          // client routing id
    zframe_t *body;            // envelope frame, forwarded untouched
    broker_service_t *service; // borrowed
    broker_worker_t *worker;   // borrowed; NULL while queued
} broker_request_t;

struct broker_service {
    char *name;        // service name
    zlistx_t *queue;   // broker_request_t, FIFO, owned
    zlistx_t *workers; // broker_worker_t accepting work, borrowed
    size_t in_flight;  // dispatched, not yet answered
    uint64_t served;   // replies forwarded
    uint64_t expired;  // dropped at their deadline
    uint64_t rejected; // answered 503 queue_full / service_unavailable
    uint64_t lost;     // answered 503 worker_lost
};

struct broker_worker {
    char *key;                 // routing id in hex: table key and log field
    zframe_t *identity;        // routing id
    broker_service_t *service; // borrowed
    int credit;                // requests held at most
    zlistx_t *held;            // broker_request_t dispatched to it, borrowed
    int64_t expiry_ms;         // monotonic; lost after this
    bool draining;             // sent DISCONNECT, finishing what it holds
};

// Destroys a request and its frames; sets *request_p to NULL. NULL is fine.
void broker_request_destroy(broker_request_t **request_p);

// True when the request's deadline (epoch ms) is at or before now_ms.
bool broker_request_is_expired(const broker_request_t *request, int64_t now_ms);

// Counts the request as expired on its service, logs it and destroys it.
void broker_request_expire(broker_request_t **request_p);

// zhashx destructor of a broker_service_t: destroys its waiting requests,
// its lists and the service itself.
void broker_service_destroy(void **item);

// zhashx destructor of a broker_worker_t; the requests it held are not
// touched (the in-flight table owns them).
void broker_worker_free(void **item);

// The worker with the fewest requests in flight that still has credit, or
// NULL when none has.
broker_worker_t *broker_service_pick_worker(broker_service_t *service);

#endif
