// stationmaster-keys — makes the CURVE keys of the bus (docs/deploy.md,
// "CURVE on the bus"). A command, not a service: it runs once and exits.
//
//   stationmaster-keys [--owner UID:GID] [--unlisted] DIR [NAME...]
//
// For every NAME (default: every program of the bus) it makes, unless they
// already exist:
//   DIR/secret/NAME.key           the key pair (mode 0600): the program's
//                                 curve/secret_key_file
//   DIR/public/NAME.key           its public key
//   DIR/public/clients/NAME.key   the same, listing NAME as a client the
//                                 broker and the hub admit (not for broker
//                                 and hub themselves, nor with --unlisted)
// DIR/public is every program's curve/public_dir. --owner gives the secret
// files to the user the programs run as (the image's 10001:10001). Prints
// each name and public key; a secret key is never printed.
#include <czmq.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static const char *const s_default_names[] = {
    "broker",    "hub",      "gateway",   "personnel",    "intake",
    "dispatch",  "finance",  "inventory", "safety-audit", "assets",
    "logistics", "webhooks", "oversight", NULL,
    // A new program joins here.
};

static int
s_usage(FILE *out, int rc)
{
    fprintf(out, "usage: stationmaster-keys [--owner UID:GID] [--unlisted] DIR "
                 "[NAME...]\n"
                 "  makes DIR/secret/NAME.key (key pair, 0600), "
                 "DIR/public/NAME.key and,\n"
                 "  for clients (not broker/hub, not --unlisted), "
                 "DIR/public/clients/NAME.key\n");
    return rc;
}

static bool
s_name_ok(const char *name)
{
    size_t n = strlen(name);
    return n > 0 && n <= 64
           && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

static int
s_mkdir(const char *path, mode_t mode)
{
    if (mkdir(path, mode) != 0 && errno != EEXIST) {
        fprintf(stderr, "stationmaster-keys: mkdir %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    return 0;
}

static int
s_own(const char *path, long uid, long gid)
{
    if (uid >= 0 && chown(path, (uid_t)uid, (gid_t)gid) != 0) {
        fprintf(stderr, "stationmaster-keys: chown %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    return 0;
}

// DIR, DIR/secret (0700, the programs' user), DIR/public and
// DIR/public/clients.
static int
s_make_dirs(const char *dir, long uid, long gid)
{
    char secret[1024], public[1024], clients[1024];
    snprintf(secret, sizeof secret, "%s/secret", dir);
    snprintf(public, sizeof public, "%s/public", dir);
    snprintf(clients, sizeof clients, "%s/public/clients", dir);
    return s_mkdir(dir, 0755) == 0 && s_mkdir(secret, 0700) == 0
                   && s_own(secret, uid, gid) == 0 && s_mkdir(public, 0755) == 0
                   && s_mkdir(clients, 0755) == 0
               ? 0
               : -1;
}

// Makes (or keeps) NAME's keys; prints its public key.
static int
s_make(const char *dir, const char *name, bool listed, long uid, long gid)
{
    char secret[1024], public[1024], client[1024];
    snprintf(secret, sizeof secret, "%s/secret/%s.key", dir, name);
    snprintf(public, sizeof public, "%s/public/%s.key", dir, name);
    snprintf(client, sizeof client, "%s/public/clients/%s.key", dir, name);
    zcert_t *cert = zcert_load(secret);
    bool made = false;
    if (!cert) {
        cert = zcert_new();
        if (!cert) {
            fprintf(stderr, "stationmaster-keys: no CURVE in libzmq\n");
            return -1;
        }
        zcert_set_meta(cert, "name", "%s", name);
        mode_t old = umask(077);
        int rc = zcert_save_secret(cert, secret);
        umask(old);
        if (rc != 0 || s_own(secret, uid, gid) != 0) {
            fprintf(stderr, "stationmaster-keys: cannot write %s\n", secret);
            zcert_destroy(&cert);
            return -1;
        }
        made = true;
    }
    mode_t old = umask(022);
    int rc = zcert_save_public(cert, public);
    if (rc == 0 && listed) {
        rc = zcert_save_public(cert, client);
    }
    umask(old);
    if (rc != 0) {
        fprintf(stderr, "stationmaster-keys: cannot write %s\n", public);
        zcert_destroy(&cert);
        return -1;
    }
    printf("%-14s %s %s%s\n", name, zcert_public_txt(cert),
           made ? "new" : "kept", listed ? "" : " (not a listed client)");
    zcert_destroy(&cert);
    return 0;
}

int
main(int argc, char **argv)
{
    zsys_set_logstream(stderr);
    long uid = -1, gid = -1;
    bool unlisted = false;
    static const struct option options[] = {
        {"owner", required_argument, NULL, 'o'},
        {"unlisted", no_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'o') {
            char *end = NULL;
            uid = strtol(optarg, &end, 10);
            gid = end && *end == ':' ? strtol(end + 1, &end, 10) : uid;
            if (uid < 0 || gid < 0 || !end || *end) {
                return s_usage(stderr, 64);
            }
        } else if (opt == 'u') {
            unlisted = true;
        } else if (opt == 'h') {
            return s_usage(stdout, 0);
        } else {
            return s_usage(stderr, 64);
        }
    }
    if (optind >= argc) {
        return s_usage(stderr, 64);
    }
    const char *dir = argv[optind++];
    if (s_make_dirs(dir, uid, gid) != 0) {
        return 1;
    }
    const char *const *names = s_default_names;
    if (optind < argc) {
        names = (const char *const *)&argv[optind];
    }
    for (size_t i = 0; names[i]; i++) {
        if (!s_name_ok(names[i])) {
            fprintf(stderr, "stationmaster-keys: bad name %s\n", names[i]);
            return 64;
        }
        bool server = streq(names[i], "broker") || streq(names[i], "hub");
        if (s_make(dir, names[i], !server && !unlisted, uid, gid) != 0) {
            return 1;
        }
    }
    return 0;
}
