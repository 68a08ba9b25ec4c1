// getpid() answered from memory, for every program linked with libcommon.
//
// libzmq and czmq ask for the process id on every signal between a thread
// and ZeroMQ's I/O thread (a fork check), and glibc no longer caches it, so
// each ask is a system call: about a third of all the system calls the
// stack made per request (docs/architecture.md §12). A program's own
// definition of getpid() comes first in the dynamic linker's lookup, so
// those libraries get this one. The id is read once per process and
// forgotten in the child of a fork (pthread_atfork), so a child reads its
// own. Nothing here calls clone() without fork(); the children that
// posix_spawn and system() make exec at once and do not run this code.
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

static _Atomic pid_t s_pid; // 0: not read yet in this process

static void
s_forget(void)
{
    atomic_store_explicit(&s_pid, 0, memory_order_relaxed);
}

__attribute__((constructor)) static void
s_register(void)
{
    (void)pthread_atfork(NULL, NULL, s_forget);
}

pid_t
getpid(void)
{
    pid_t pid = atomic_load_explicit(&s_pid, memory_order_relaxed);
    if (pid == 0) {
        pid = (pid_t)syscall(SYS_getpid);
        atomic_store_explicit(&s_pid, pid, memory_order_relaxed);
    }
    return pid;
}
