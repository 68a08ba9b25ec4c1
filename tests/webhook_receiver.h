// webhook_receiver — an HTTP server on 127.0.0.1 in the test process that
// plays another system receiving webhooks: it answers each POST with the
// next status of a script (then a fallback) and keeps what it got (the
// webhook-* headers and the body) for the test to check.
#ifndef TESTS_WEBHOOK_RECEIVER_H
#define TESTS_WEBHOOK_RECEIVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define RECEIVER_HITS_MAX     32
#define RECEIVER_BODY_MAX     ((size_t)48 * 1024)
#define RECEIVER_SCRIPT_MAX   16
#define RECEIVER_HEADER_VALUE 160

typedef struct {
    char id[RECEIVER_HEADER_VALUE];        // webhook-id
    char timestamp[RECEIVER_HEADER_VALUE]; // webhook-timestamp
    char signature[RECEIVER_HEADER_VALUE]; // webhook-signature
    char path[RECEIVER_HEADER_VALUE];      // the request target
    char body[RECEIVER_BODY_MAX];          // NUL-terminated
    size_t body_size;
    int answered; // the status sent back
} receiver_hit_t;

typedef struct {
    int fd, port;
    pthread_t thread;
    pthread_mutex_t lock;
    bool stop;
    int script[RECEIVER_SCRIPT_MAX]; // statuses of the first requests
    size_t script_count;
    int fallback; // the status after the script
    receiver_hit_t hits[RECEIVER_HITS_MAX];
    size_t count; // requests received
    void *https;  // the nng HTTPS server, or NULL
} receiver_t;

// Listen on a free loopback port and serve in a thread: answer the
// scripted statuses (NULL-terminated by count), then fallback. 0 or -1.
int receiver_start(receiver_t *self, const int *script, size_t script_count,
                   int fallback);

// receiver_start over HTTPS with nng's HTTP server and TLS: cert_pem and
// key_pem (PEM text) are the server's; it listens on a free port of
// 127.0.0.1 and answers fallback to every POST /hook. 0 or -1.
int receiver_start_tls(receiver_t *self, const char *cert_pem,
                       const char *key_pem, int fallback);

// Change the fallback status (the script is used up first).
void receiver_set_fallback(receiver_t *self, int status);

// Requests received so far.
size_t receiver_count(receiver_t *self);

// A copy of hit i into out (i < receiver_count). 0 or -1.
int receiver_hit(receiver_t *self, size_t i, receiver_hit_t *out);

// The webhook-signature a hit must carry under secret ("whsec_" and the
// base64 key), computed here with libsodium from the scheme as
// docs/events.md states it, into out (64 bytes).
void receiver_expected_signature(const char *secret, const receiver_hit_t *hit,
                                 char *out);

// Stop serving and close.
void receiver_stop(receiver_t *self);

#endif
