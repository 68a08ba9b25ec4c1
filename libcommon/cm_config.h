// cm_config — validated configuration (docs/deploy.md).
//
// Precedence: compiled defaults < ZPL file < SM_<SECTION>__<KEY> environment
// < command-line flags. The file is `--config FILE`, else $SM_CONFIG, else
// config/stationmaster.cfg when it exists; one file serves the whole stack,
// so keys of other programs are ignored. Flags: `--config FILE`,
// `--set section/key=value` (repeatable), `--get section/key` (print the
// effective value and exit; for scripts), `--help`.
//
// Paths are "section/key" (lower case, ZPL style). SM_REDIS__PORT=6391 sets
// redis/port.
#ifndef LIBCOMMON_CM_CONFIG_H
#define LIBCOMMON_CM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

// Exit code for a configuration error (sysexits EX_CONFIG).
#define CM_CONFIG_EXIT 78

typedef struct cm_config cm_config_t;

typedef enum {
    CM_CONFIG_STRING,
    CM_CONFIG_INT,
    CM_CONFIG_BOOL
} cm_config_type_t;

// One option a program accepts. Arrays of options end with a NULL path.
typedef struct {
    const char *path;      // "redis/port"
    cm_config_type_t type; // how the text is validated
    const char *fallback;  // compiled default, as text (NULL: required)
    long long min;         // smallest valid integer (CM_CONFIG_INT)
    long long max;         // largest valid integer (CM_CONFIG_INT)
    bool secret;           // masked when the config is logged
    const char *help;      // one line for --help
} cm_config_option_t;

// Options every process shares: redis/host, redis/port, redis/password,
// redis/timeout_ms, broker/host, broker/port, broker/bind, hub/host,
// hub/pub_port, hub/sub_port, hub/bind, service/workers, service/replica,
// service/heartbeat_ms, service/deadline_ms, service/credit,
// service/drain_ms, log/level, approvals/file, curve/secret_key_file,
// curve/public_dir (cm_curve.h). cm_config_load
// always adds them; a program's own array holds only its own options.
extern const cm_config_option_t cm_config_common_options[];

// Load configuration for program `name` from its own options and the common
// ones. On a bad value or unknown flag returns NULL and writes one line into
// error. Caller owns the result.
cm_config_t *cm_config_load(const char *name, const cm_config_option_t *options,
                            int argc, char **argv, char *error,
                            size_t error_size);

// cm_config_load, but on failure log one fatal line (event config.invalid)
// and exit(CM_CONFIG_EXIT); --help prints the options and exits 0.
cm_config_t *cm_config_load_or_exit(const char *name,
                                    const cm_config_option_t *options, int argc,
                                    char **argv);

// Destroy the configuration; safe when *self_p is NULL.
void cm_config_destroy(cm_config_t **self_p);

// The value at path as text. Borrowed: valid until cm_config_destroy. Asserts
// that the path is a known option (a programming error otherwise).
const char *cm_config_str(const cm_config_t *self, const char *path);

// The value at path as an integer / boolean (validated at load).
long long cm_config_int(const cm_config_t *self, const char *path);
bool cm_config_bool(const cm_config_t *self, const char *path);

// Write the ZeroMQ endpoint of a section whose host and port keys are given
// (e.g. "broker/host", "broker/port") into buf: "tcp://<host>:<port>", or,
// when the host is an absolute path (a directory on this host),
// "ipc://<dir>/<port>.sock" (a Unix socket: processes of one host skip
// loopback TCP). Returns buf.
const char *cm_config_endpoint(const cm_config_t *self, const char *host_path,
                               const char *port_path, char *buf, size_t size);

// Log the effective configuration once (event config.loaded), secrets
// masked.
void cm_config_log(const cm_config_t *self);

#endif
