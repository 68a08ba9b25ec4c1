// gateway_queue — hands work from nng's handler threads to one consumer
// thread in batches (docs/architecture.md §3): producers append under a mutex;
// only the push that finds the queue empty writes the eventfd, and the
// consumer, woken once, takes everything waiting in one swap. The eventfd sits
// in the consumer's zmq_poll beside its ZeroMQ sockets.
#ifndef GATEWAY_QUEUE_H
#define GATEWAY_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct gateway_queue gateway_queue_t;

// A batch taken from the queue. Caller owns it (gateway_batch_clear).
typedef struct {
    void **items; // in push order
    size_t count; // items used
} gateway_batch_t;

// Caller owns the result; NULL when no eventfd could be made.
gateway_queue_t *gateway_queue_new(void);

// Free; items still queued are not freed (close and take them first). Safe
// when *self_p is NULL.
void gateway_queue_destroy(gateway_queue_t **self_p);

// The file descriptor that turns readable when items wait.
int gateway_queue_fd(const gateway_queue_t *self);

// Append item (ownership passes to the queue). Returns 0, or -1 when the
// queue is closed: the caller still owns item.
int gateway_queue_push(gateway_queue_t *self, void *item);

// Take everything waiting (and clear the wakeup) into *batch, which must be
// empty or cleared. Returns the number of items.
size_t gateway_queue_take(gateway_queue_t *self, gateway_batch_t *batch);

// Refuse later pushes. Items already queued stay for gateway_queue_take.
void gateway_queue_close(gateway_queue_t *self);

// Free the batch's array (not the items) and zero it.
void gateway_batch_clear(gateway_batch_t *batch);

#endif
