// cm_wait — sleep in poll(2) on ZeroMQ sockets' own descriptors (ZMQ_FD).
//
// A socket's descriptor turns readable when commands reach its mailbox, and
// any call on the socket may take them: it says "look again", not "a
// message waits". So a loop that waits here reads each socket until a
// receive finds nothing (receive timeout 0), and again after it sent on it,
// before it waits. One system call a wait, where zmq_poll (zpoller) asks
// ZMQ_EVENTS of every socket before and after its poll (a poll(2) of its
// own each time nothing is pending): docs/architecture.md §12.
#ifndef LIBCOMMON_CM_WAIT_H
#define LIBCOMMON_CM_WAIT_H

#include <czmq.h>
#include <stdbool.h>

#define CM_WAIT_MAX 8 // sockets of one wait

// Wait up to timeout_ms (-1: no limit) until the descriptor of one of the
// n sockets (NULL entries are left out) turns readable; ready[i] says
// whether socks[i]'s did. Returns how many did, 0 at the timeout or on a
// signal, -1 on another error (errno says).
int cm_wait(zsock_t *const *socks, size_t n, int timeout_ms, bool *ready);

#endif
