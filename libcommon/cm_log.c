#include "cm_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define CM_LOG_NAME_MAX        64
#define CM_LOG_CORRELATION_MAX 128

// The logger is process-wide by nature (docs/coding.md allows cm_log.c this).
static char s_svc[CM_LOG_NAME_MAX] = "-";
static char s_replica[CM_LOG_NAME_MAX] = "0";
static cm_log_level_t s_level = CM_LOG_INFO;
static bool s_json = true;
static FILE *s_stream = NULL;
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local char s_correlation[CM_LOG_CORRELATION_MAX];

// Lines this thread holds back (cm_log_hold), written together later.
#define S_HELD_MAX  32768
#define S_CHUNK_MAX 4096 // PIPE_BUF: a write this size to a pipe stays whole
static _Thread_local bool s_holding;
static _Thread_local char s_held[S_HELD_MAX];
static _Thread_local size_t s_held_len;

static const char *s_level_names[] = {"debug", "info", "notice", "warn",
                                      "error"};

// A line under construction; `len` never exceeds sizeof(data) - 1.
typedef struct {
    char data[CM_LOG_LINE_MAX];
    size_t len;
} s_line_t;

static void
s_put(s_line_t *line, const char *text, size_t n)
{
    size_t room = sizeof(line->data) - 3 - line->len; // keep "}\n" + NUL
    if (n > room) {
        n = room;
    }
    memcpy(line->data + line->len, text, n);
    line->len += n;
}

static void
s_puts(s_line_t *line, const char *text)
{
    s_put(line, text, strlen(text));
}

// Append `value` as JSON string content (without quotes), escaped, cut at
// CM_LOG_VALUE_MAX bytes.
static void
s_put_escaped(s_line_t *line, const char *value)
{
    size_t used = 0;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (++used > CM_LOG_VALUE_MAX) {
            s_puts(line, "...");
            return;
        }
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            s_put(line, esc, 2);
        } else if (*p == '\n') {
            s_puts(line, "\\n");
        } else if (*p < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            s_puts(line, esc);
        } else {
            s_put(line, (const char *)p, 1);
        }
    }
}

static bool
s_is_number(const char *value)
{
    if (!value || !*value) {
        return false;
    }
    char *end = NULL;
    (void)strtod(value, &end); // only the end position matters here
    return end && *end == '\0';
}

static void
s_put_field(s_line_t *line, const char *key, const char *value)
{
    bool numeric = key[0] == '#';
    if (numeric) {
        key++;
    }
    if (!value) {
        value = "";
    }
    if (s_json) {
        s_puts(line, ",\"");
        s_put_escaped(line, key);
        s_puts(line, "\":");
        if (numeric && s_is_number(value)) {
            s_puts(line, value);
        } else {
            s_puts(line, "\"");
            s_put_escaped(line, value);
            s_puts(line, "\"");
        }
    } else {
        s_puts(line, " ");
        s_puts(line, key);
        s_puts(line, "=");
        s_put_escaped(line, value);
    }
}

static void
s_format_ts(char *buf, size_t size)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(base + strlen(base), sizeof base - strlen(base), ".%03ldZ",
             now.tv_nsec / 1000000L);
    snprintf(buf, size, "%s", base);
}

static void
s_begin(s_line_t *line, cm_log_level_t level, const char *event)
{
    char ts[40];
    s_format_ts(ts, sizeof ts);
    if (s_json) {
        s_puts(line, "{\"ts\":\"");
        s_puts(line, ts);
        s_puts(line, "\",\"level\":\"");
        s_puts(line, s_level_names[level]);
        s_puts(line, "\"");
        s_put_field(line, "svc", s_svc);
        s_put_field(line, "replica", s_replica);
        s_put_field(line, "event", event);
    } else {
        char head[160];
        snprintf(head, sizeof head, "%s %-6s %s ", ts, s_level_names[level],
                 s_svc);
        s_puts(line, head);
        s_put_escaped(line, event);
    }
    if (s_correlation[0]) {
        s_put_field(line, "correlation_id", s_correlation);
    }
}

void
cm_log_init(const char *svc, const char *replica)
{
    snprintf(s_svc, sizeof s_svc, "%s", svc ? svc : "-");
    if (replica && replica[0]) {
        snprintf(s_replica, sizeof s_replica, "%s", replica);
    } else {
        char host[CM_LOG_NAME_MAX / 2] = "host";
        (void)gethostname(host, sizeof host); // "host" stays on failure
        host[sizeof host - 1] = '\0';
        snprintf(s_replica, sizeof s_replica, "%s-%d", host, (int)getpid());
    }
    const char *format = getenv("LOG_FORMAT");
    s_json = !(format && strcasecmp(format, "text") == 0);
    const char *level = getenv("LOG_LEVEL");
    int parsed = level ? cm_log_level_parse(level) : -1;
    if (parsed >= 0) {
        s_level = (cm_log_level_t)parsed;
    }
}

void
cm_log_set_level(cm_log_level_t level)
{
    s_level = level;
}

int
cm_log_level_parse(const char *name)
{
    for (int i = 0; i <= CM_LOG_ERROR; i++) {
        if (name && strcasecmp(name, s_level_names[i]) == 0) {
            return i;
        }
    }
    if (name && strcasecmp(name, "warning") == 0) {
        return CM_LOG_WARN;
    }
    return -1;
}

void
cm_log_set_json(bool json)
{
    s_json = json;
}

void
cm_log_set_stream(FILE *stream)
{
    pthread_mutex_lock(&s_lock);
    s_stream = stream;
    pthread_mutex_unlock(&s_lock);
}

bool
cm_log_enabled(cm_log_level_t level)
{
    return level >= s_level;
}

void
cm_log_set_correlation(const char *correlation_id)
{
    snprintf(s_correlation, sizeof s_correlation, "%s",
             correlation_id ? correlation_id : "");
}

const char *
cm_log_correlation(void)
{
    return s_correlation[0] ? s_correlation : NULL;
}

// Write size bytes of whole lines to out in chunks of whole lines of at
// most S_CHUNK_MAX bytes (a longer line alone), each in one write(2) where
// out has a descriptor: lines of other processes on the same pipe fall
// between chunks, never inside a line. Called with s_lock held.
static void
s_write_chunks(FILE *out, const char *data, size_t size)
{
    if (size == 0) {
        return;
    }
    fflush(out);
    int fd = fileno(out);
    size_t done = 0;
    while (done < size) {
        size_t chunk = 0; // whole lines that fit, or the next line alone
        for (;;) {
            const char *end =
                memchr(data + done + chunk, '\n', size - done - chunk);
            size_t next = end ? (size_t)(end - (data + done)) + 1 : size - done;
            if (chunk > 0 && next > S_CHUNK_MAX) {
                break;
            }
            chunk = next;
            if (!end || chunk >= S_CHUNK_MAX || done + chunk == size) {
                break;
            }
        }
        if (fd >= 0) {
            for (size_t off = 0; off < chunk;) {
                ssize_t n = write(fd, data + done + off, chunk - off);
                if (n <= 0) {
                    break; // nowhere to log: drop the rest of the chunk
                }
                off += (size_t)n;
            }
        } else {
            fwrite(data + done, 1, chunk, out);
            fflush(out);
        }
        done += chunk;
    }
}

// Write what this thread holds back.
static void
s_write_held(void)
{
    if (s_held_len == 0) {
        return;
    }
    pthread_mutex_lock(&s_lock);
    s_write_chunks(s_stream ? s_stream : stdout, s_held, s_held_len);
    pthread_mutex_unlock(&s_lock);
    s_held_len = 0;
}

void
cm_log_emit(cm_log_level_t level, const char *event, ...)
{
    static _Thread_local s_line_t line; // 16 KiB: too big for small stacks
    line.len = 0;
    s_begin(&line, level, event ? event : "-");
    va_list args;
    va_start(args, event);
    const char *key;
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above
    while ((key = va_arg(args, const char *)) != NULL) {
        const char *value = va_arg(args, const char *);
        s_put_field(&line, key, value);
    }
    va_end(args);
    if (s_json) {
        s_puts(&line, "}");
    }
    line.data[line.len++] = '\n';
    line.data[line.len] = '\0';
    if (s_holding && level < CM_LOG_WARN && line.len <= S_HELD_MAX) {
        if (s_held_len + line.len > S_HELD_MAX) {
            s_write_held();
        }
        memcpy(s_held + s_held_len, line.data, line.len);
        s_held_len += line.len;
        return;
    }
    pthread_mutex_lock(&s_lock);
    FILE *out = s_stream ? s_stream : stdout;
    s_write_chunks(out, s_held, s_held_len);
    s_held_len = 0;
    fwrite(line.data, 1, line.len, out);
    fflush(out);
    pthread_mutex_unlock(&s_lock);
}

void
cm_log_hold(void)
{
    s_holding = true;
}

void
cm_log_release(void)
{
    s_write_held();
    s_holding = false;
}

const char *
cm_log_format_int(char *buf, long long value)
{
    snprintf(buf, 24, "%lld", value);
    return buf;
}
