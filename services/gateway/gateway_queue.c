#include "gateway_queue.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct gateway_queue {
    pthread_mutex_t mutex; // guards items, count, capacity, closed
    void **items;          // waiting items
    size_t count;          // items used
    size_t capacity;       // items allocated
    bool closed;           // pushes refused
    int wakeup;            // eventfd, readable while items wait
};

gateway_queue_t *
gateway_queue_new(void)
{
    gateway_queue_t *self = calloc(1, sizeof *self);
    if (!self) {
        return NULL;
    }
    self->wakeup = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (self->wakeup < 0) {
        free(self);
        return NULL;
    }
    pthread_mutex_init(&self->mutex, NULL);
    return self;
}

void
gateway_queue_destroy(gateway_queue_t **self_p)
{
    if (self_p && *self_p) {
        gateway_queue_t *self = *self_p;
        close(self->wakeup);
        pthread_mutex_destroy(&self->mutex);
        free(self->items);
        free(self);
        *self_p = NULL;
    }
}

int
gateway_queue_fd(const gateway_queue_t *self)
{
    return self->wakeup;
}

int
gateway_queue_push(gateway_queue_t *self, void *item)
{
    pthread_mutex_lock(&self->mutex);
    if (self->closed) {
        pthread_mutex_unlock(&self->mutex);
        return -1;
    }
    if (self->count == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 64;
        void **items = realloc(self->items, capacity * sizeof *items);
        if (!items) {
            pthread_mutex_unlock(&self->mutex);
            return -1;
        }
        self->items = items;
        self->capacity = capacity;
    }
    bool was_empty = self->count == 0;
    self->items[self->count++] = item;
    pthread_mutex_unlock(&self->mutex);
    if (was_empty) {
        uint64_t one = 1;
        // A full eventfd counter (EAGAIN) still means "readable": fine.
        ssize_t written = write(self->wakeup, &one, sizeof one);
        (void)written; // nothing to do on failure: the fd stays readable
    }
    return 0;
}

size_t
gateway_queue_take(gateway_queue_t *self, gateway_batch_t *batch)
{
    uint64_t value;
    ssize_t got = read(self->wakeup, &value, sizeof value);
    (void)got; // EAGAIN only means no wakeup was pending
    pthread_mutex_lock(&self->mutex);
    batch->items = self->items;
    batch->count = self->count;
    self->items = NULL;
    self->count = 0;
    self->capacity = 0;
    pthread_mutex_unlock(&self->mutex);
    return batch->count;
}

void
gateway_queue_close(gateway_queue_t *self)
{
    pthread_mutex_lock(&self->mutex);
    self->closed = true;
    pthread_mutex_unlock(&self->mutex);
    uint64_t one = 1;
    ssize_t written = write(self->wakeup, &one, sizeof one);
    (void)written; // wakes the consumer so it sees the close
}

void
gateway_batch_clear(gateway_batch_t *batch)
{
    free(batch->items);
    batch->items = NULL;
    batch->count = 0;
}
