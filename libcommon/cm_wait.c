#include "cm_wait.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>

int
cm_wait(zsock_t *const *socks, size_t n, int timeout_ms, bool *ready)
{
    assert(socks && ready && n <= CM_WAIT_MAX);
    struct pollfd fds[CM_WAIT_MAX];
    for (size_t i = 0; i < n; i++) {
        fds[i] = (struct pollfd){socks[i] ? zsock_fd(socks[i]) : -1, POLLIN, 0};
        ready[i] = false;
    }
    int count = poll(fds, (nfds_t)n, timeout_ms);
    if (count < 0) {
        return errno == EINTR ? 0 : -1;
    }
    for (size_t i = 0; i < n; i++) {
        ready[i] = fds[i].revents != 0;
    }
    return count;
}
