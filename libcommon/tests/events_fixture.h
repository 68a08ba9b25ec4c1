// events_fixture — the private redis-server and store of the cm_events
// suites (test_cm_events.c: consumers; test_cm_events_bus.c: the hub's
// side, live listeners, outbox trimming and discovery), and what their
// tests share: producer p's outbox, consumer group c.
#ifndef LIBCOMMON_TESTS_EVENTS_FIXTURE_H
#define LIBCOMMON_TESTS_EVENTS_FIXTURE_H

#include <check.h>

#include "cm_events.h"
#include "cm_store.h"

#define WAIT_MS 5000

extern cm_store_t *store; // the checked fixture's store, flushed per test

// Unchecked fixture: start and stop the private redis-server.
void events_server_start(void);
void events_server_stop(void);

// Checked fixture: a store on it, everything flushed first.
void events_setup(void);
void events_teardown(void);

// The integer reply of a command of up to three words (-1 otherwise).
long long redis_int(const char *a, const char *b, const char *c);

// Entries of sm:{p}:outbox pending for group c.
long long pending_count(void);

// n events on sm:{p}:outbox with envelope ids "e<seq>"; type `type`.
void produce(int n, const char *type);

// Append an envelope to sm:{<producer>}:outbox as its own commit.
void produce_envelope(const char *producer, const char *envelope);

// The effect: one ledger entry per event (sm:{c}:ledger:effects), holding
// its seq; a "p.thing.bad" event fails.
int on_event(cm_store_t *consumer_store, const cm_event_t *event,
             cm_commit_t *commit, void *arg);

#endif
