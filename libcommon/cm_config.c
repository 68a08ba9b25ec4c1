#include "cm_config.h"

#include <assert.h>
#include <ctype.h>
#include <czmq.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cm_log.h"

#define S_DEFAULT_FILE   "config/stationmaster.cfg"
#define S_OPTIONS_MAX    96
#define S_ENV_NAME_MAX   128
#define S_ERROR_TEXT_MAX 512

const cm_config_option_t cm_config_common_options[] = {
    {"redis/host", CM_CONFIG_STRING, "127.0.0.1", 0, 0, false, "Redis host"},
    {"redis/port", CM_CONFIG_INT, "6390", 1, 65535, false, "Redis port"},
    {"redis/password", CM_CONFIG_STRING, "", 0, 0, true,
     "Redis password (empty: none)"},
    {"redis/timeout_ms", CM_CONFIG_INT, "1000", 10, 60000, false,
     "Redis command timeout"},
    {"broker/host", CM_CONFIG_STRING, "127.0.0.1", 0, 0, false,
     "broker host to connect to (an absolute path: a directory of "
     "Unix sockets, as broker/bind)"},
    {"broker/port", CM_CONFIG_INT, "5555", 1, 65535, false,
     "broker ROUTER port"},
    {"broker/bind", CM_CONFIG_STRING, "127.0.0.1", 0, 0, false,
     "address the broker binds (an absolute path: a directory of Unix "
     "sockets)"},
    {"broker/queue_max", CM_CONFIG_INT, "1000", 1, 1000000, false,
     "requests waiting per service before 503 queue_full"},
    {"hub/host", CM_CONFIG_STRING, "127.0.0.1", 0, 0, false,
     "hub host to connect to (an absolute path: a directory of Unix "
     "sockets, as hub/bind)"},
    {"hub/pub_port", CM_CONFIG_INT, "5556", 1, 65535, false,
     "hub XPUB port (events out)"},
    {"hub/sub_port", CM_CONFIG_INT, "5557", 1, 65535, false,
     "hub XSUB port (external publishers)"},
    {"hub/bind", CM_CONFIG_STRING, "127.0.0.1", 0, 0, false,
     "address the hub binds (an absolute path: a directory of Unix "
     "sockets)"},
    {"service/workers", CM_CONFIG_INT, "2", 1, 64, false,
     "worker threads per service process"},
    {"service/event_lanes", CM_CONFIG_INT, "4", 1, 32, false,
     "threads handling the events of different subjects at once, for the "
     "subscriptions that allow it"},
    {"service/replica", CM_CONFIG_STRING, "", 0, 0, false,
     "replica name in logs (empty: host-pid)"},
    {"service/heartbeat_ms", CM_CONFIG_INT, "2500", 50, 60000, false,
     "MDP heartbeat interval"},
    {"service/deadline_ms", CM_CONFIG_INT, "2000", 50, 600000, false,
     "default request deadline"},
    {"service/credit", CM_CONFIG_INT, "16", 1, 256, false,
     "requests one worker thread holds and handles per batch"},
    {"service/drain_ms", CM_CONFIG_INT, "10000", 0, 600000, false,
     "longest drain after SIGTERM"},
    {"log/level", CM_CONFIG_STRING, "info", 0, 0, false,
     "debug, info, notice, warn or error"},
    {"approvals/file", CM_CONFIG_STRING, "config/approvals.cfg", 0, 0, false,
     "the approval matrix (ZPL) services read at start"},
    {"curve/secret_key_file", CM_CONFIG_STRING, "", 0, 0, false,
     "this process's CURVE key pair (stationmaster-keys; empty: plain TCP)"},
    {"curve/public_dir", CM_CONFIG_STRING, "", 0, 0, false,
     "broker.key, hub.key and clients/ (admitted keys) for CURVE"},
    {NULL, CM_CONFIG_STRING, NULL, 0, 0, false, NULL},
};

// One known option and its effective value.
typedef struct {
    const cm_config_option_t *option; // borrowed: static tables
    char *value;                      // owned
    const char *origin;               // "default", "file", "env", "flag"
} s_entry_t;

struct cm_config {
    char *name;                       // program name
    s_entry_t entries[S_OPTIONS_MAX]; // known options
    size_t count;                     // entries used
    const char *get;                  // --get path, borrowed from argv
};

static s_entry_t *
s_find(const cm_config_t *self, const char *path)
{
    for (size_t i = 0; i < self->count; i++) {
        if (strcmp(self->entries[i].option->path, path) == 0) {
            return (s_entry_t *)&self->entries[i];
        }
    }
    return NULL;
}

static void
s_set(s_entry_t *entry, const char *value, const char *origin)
{
    free(entry->value);
    entry->value = strdup(value);
    assert(entry->value);
    entry->origin = origin;
}

static void
s_add_options(cm_config_t *self, const cm_config_option_t *options)
{
    for (const cm_config_option_t *o = options; o && o->path; o++) {
        if (s_find(self, o->path)) {
            continue; // a program may redeclare a common option's default
        }
        assert(self->count < S_OPTIONS_MAX);
        s_entry_t *entry = &self->entries[self->count++];
        entry->option = o;
        entry->value = NULL;
        entry->origin = "default";
        if (o->fallback) {
            s_set(entry, o->fallback, "default");
        }
    }
}

static bool
s_parse_int(const char *text, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno || !end || end == text || *end != '\0') {
        return false;
    }
    *out = value;
    return true;
}

static int
s_parse_bool(const char *text)
{
    const char *yes[] = {"1", "true", "yes", "on"};
    const char *no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            return 1;
        }
        if (strcasecmp(text, no[i]) == 0) {
            return 0;
        }
    }
    return -1;
}

static int
s_validate(const s_entry_t *entry, char *error, size_t size)
{
    const cm_config_option_t *o = entry->option;
    if (!entry->value) {
        snprintf(error, size, "%s is required (no default)", o->path);
        return -1;
    }
    long long number;
    if (o->type == CM_CONFIG_INT
        && (!s_parse_int(entry->value, &number) || number < o->min
            || number > o->max)) {
        snprintf(error, size, "%s=%s (from %s) is not an integer in %lld..%lld",
                 o->path, o->secret ? "***" : entry->value, entry->origin,
                 o->min, o->max);
        return -1;
    }
    if (o->type == CM_CONFIG_BOOL && s_parse_bool(entry->value) < 0) {
        snprintf(error, size, "%s=%s (from %s) is not a boolean", o->path,
                 entry->value, entry->origin);
        return -1;
    }
    if (strcmp(o->path, "log/level") == 0
        && cm_log_level_parse(entry->value) < 0) {
        snprintf(error, size, "log/level=%s is not a log level", entry->value);
        return -1;
    }
    return 0;
}

static int
s_apply_file(cm_config_t *self, const char *path, bool must_exist, char *error,
             size_t size)
{
    if (access(path, R_OK) != 0) {
        if (must_exist) {
            snprintf(error, size, "config file %s: %s", path, strerror(errno));
            return -1;
        }
        return 0;
    }
    zconfig_t *root = zconfig_load(path);
    if (!root) {
        snprintf(error, size, "config file %s: not valid ZPL", path);
        return -1;
    }
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *entry = &self->entries[i];
        const char *value = zconfig_get(root, entry->option->path, NULL);
        if (value) {
            s_set(entry, value, "file");
        }
    }
    zconfig_destroy(&root);
    return 0;
}

// "redis/port" → "SM_REDIS__PORT".
static void
s_env_name(const char *path, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "SM_");
    for (const char *p = path; *p && n + 2 < size; p++) {
        if (*p == '/') {
            buf[n++] = '_';
            buf[n++] = '_';
        } else {
            buf[n++] = (char)toupper((unsigned char)*p);
        }
    }
    buf[n] = '\0';
}

static void
s_apply_env(cm_config_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        char name[S_ENV_NAME_MAX];
        s_env_name(self->entries[i].option->path, name, sizeof name);
        const char *value = getenv(name);
        if (value) {
            s_set(&self->entries[i], value, "env");
        }
    }
    // LOG_LEVEL is the conventional short form of SM_LOG__LEVEL.
    const char *level = getenv("LOG_LEVEL");
    s_entry_t *entry = s_find(self, "log/level");
    if (level && entry && !getenv("SM_LOG__LEVEL")) {
        s_set(entry, level, "env");
    }
}

static int
s_apply_set_flag(cm_config_t *self, const char *assignment, char *error,
                 size_t size)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) {
        snprintf(error, size, "--set %s: expected section/key=value",
                 assignment);
        return -1;
    }
    char path[S_ENV_NAME_MAX];
    snprintf(path, sizeof path, "%.*s", (int)(eq - assignment), assignment);
    s_entry_t *entry = s_find(self, path);
    if (!entry) {
        snprintf(error, size, "--set %s: unknown option %s", assignment, path);
        return -1;
    }
    s_set(entry, eq + 1, "flag");
    return 0;
}

// Pass 1 finds --config (the file comes before env and flags); pass 2
// applies --set flags. Returns 1 for --help, 0 to go on, -1 on error.
static int
s_scan_flags(cm_config_t *self, int argc, char **argv, bool apply_sets,
             const char **file, char *error, size_t size)
{
    static const struct option longs[] = {
        {"config", required_argument, NULL, 'c'},
        {"set", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {"get", required_argument, NULL, 'g'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "c:s:hg:", longs, NULL)) != -1) {
        if (c == 'g') {
            self->get = optarg;
        } else if (c == 'c') {
            *file = optarg;
        } else if (c == 's' && apply_sets
                   && s_apply_set_flag(self, optarg, error, size) != 0) {
            return -1;
        } else if (c == 'h') {
            return 1;
        } else if (c == '?') {
            snprintf(error, size, "unknown or incomplete flag %s",
                     argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        snprintf(error, size, "unexpected argument %s", argv[optind]);
        return -1;
    }
    return 0;
}

static int
s_load(cm_config_t *self, int argc, char **argv, char *error, size_t size)
{
    const char *file = NULL;
    int rc = s_scan_flags(self, argc, argv, false, &file, error, size);
    if (rc != 0) {
        return rc;
    }
    const char *from_env = getenv("SM_CONFIG");
    bool must_exist = file != NULL || from_env != NULL;
    if (!file) {
        file = from_env ? from_env : S_DEFAULT_FILE;
    }
    if (s_apply_file(self, file, must_exist, error, size) != 0) {
        return -1;
    }
    s_apply_env(self);
    rc = s_scan_flags(self, argc, argv, true, &file, error, size);
    if (rc != 0) {
        return rc;
    }
    for (size_t i = 0; i < self->count; i++) {
        if (s_validate(&self->entries[i], error, size) != 0) {
            return -1;
        }
    }
    return 0;
}

static cm_config_t *
s_load_with_help(const char *name, const cm_config_option_t *options, int argc,
                 char **argv, char *error, size_t size, bool *help)
{
    assert(name);
    cm_config_t *self = calloc(1, sizeof *self);
    assert(self);
    self->name = strdup(name);
    assert(self->name);
    s_add_options(self, options);
    s_add_options(self, cm_config_common_options);
    int rc = s_load(self, argc, argv, error, size);
    *help = rc == 1;
    if (rc != 0) {
        cm_config_destroy(&self);
    }
    return self;
}

cm_config_t *
cm_config_load(const char *name, const cm_config_option_t *options, int argc,
               char **argv, char *error, size_t error_size)
{
    bool help = false;
    cm_config_t *self =
        s_load_with_help(name, options, argc, argv, error, error_size, &help);
    if (help) {
        snprintf(error, error_size, "help requested");
    }
    return self;
}

static void
s_print_help(const char *name, const cm_config_option_t *options)
{
    cm_config_t *self = calloc(1, sizeof *self);
    assert(self);
    s_add_options(self, options);
    s_add_options(self, cm_config_common_options);
    fprintf(stdout,
            "usage: %s [--config FILE] [--set section/key=value]..."
            " [--get section/key]\n"
            "Each option can also be set with SM_<SECTION>__<KEY>.\n\n",
            name);
    for (size_t i = 0; i < self->count; i++) {
        const cm_config_option_t *o = self->entries[i].option;
        fprintf(stdout, "  %-24s %-8s %s (default: %s)\n", o->path,
                o->type == CM_CONFIG_INT    ? "int"
                : o->type == CM_CONFIG_BOOL ? "bool"
                                            : "string",
                o->help ? o->help : "", o->fallback ? o->fallback : "none");
    }
    self->name = NULL;
    cm_config_destroy(&self);
}

cm_config_t *
cm_config_load_or_exit(const char *name, const cm_config_option_t *options,
                       int argc, char **argv)
{
    char error[S_ERROR_TEXT_MAX] = "";
    bool help = false;
    cm_config_t *self =
        s_load_with_help(name, options, argc, argv, error, sizeof error, &help);
    if (help) {
        s_print_help(name, options);
        exit(0);
    }
    if (!self) {
        cm_log_error("config.invalid", "program", name, "reason", error);
        exit(CM_CONFIG_EXIT);
    }
    if (self->get) {
        // Scripts read the effective value: `broker --get redis/port`.
        const s_entry_t *entry = s_find(self, self->get);
        if (entry) {
            fprintf(stdout, "%s\n", entry->value);
        }
        exit(entry ? 0 : CM_CONFIG_EXIT);
    }
    int level = cm_log_level_parse(cm_config_str(self, "log/level"));
    cm_log_set_level((cm_log_level_t)level);
    return self;
}

void
cm_config_destroy(cm_config_t **self_p)
{
    assert(self_p);
    cm_config_t *self = *self_p;
    if (self) {
        for (size_t i = 0; i < self->count; i++) {
            free(self->entries[i].value);
        }
        free(self->name);
        free(self);
        *self_p = NULL;
    }
}

const char *
cm_config_str(const cm_config_t *self, const char *path)
{
    assert(self && path);
    const s_entry_t *entry = s_find(self, path);
    assert(entry && entry->value); // unknown path: a programming error
    return entry->value;
}

long long
cm_config_int(const cm_config_t *self, const char *path)
{
    long long value = 0;
    bool ok = s_parse_int(cm_config_str(self, path), &value);
    assert(ok); // validated at load
    return value;
}

bool
cm_config_bool(const cm_config_t *self, const char *path)
{
    return s_parse_bool(cm_config_str(self, path)) == 1;
}

const char *
cm_config_endpoint(const cm_config_t *self, const char *host_path,
                   const char *port_path, char *buf, size_t size)
{
    const char *host = cm_config_str(self, host_path);
    long long port = cm_config_int(self, port_path);
    if (host[0] == '/') {
        snprintf(buf, size, "ipc://%s/%lld.sock", host, port);
    } else {
        snprintf(buf, size, "tcp://%s:%lld", host, port);
    }
    return buf;
}

void
cm_config_log(const cm_config_t *self)
{
    assert(self);
    char text[CM_LOG_VALUE_MAX] = "";
    size_t used = 0;
    for (size_t i = 0; i < self->count && used < sizeof text; i++) {
        const s_entry_t *entry = &self->entries[i];
        bool mask = entry->option->secret && entry->value[0];
        used += (size_t)snprintf(text + used, sizeof text - used, "%s%s=%s",
                                 i ? " " : "", entry->option->path,
                                 mask ? "***" : entry->value);
    }
    cm_log_notice("config.loaded", "program", self->name, "effective", text);
}
