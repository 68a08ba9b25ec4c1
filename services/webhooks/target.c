#include "target.h"

#include <ctype.h>
#include <nng/nng.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool
target_pattern_is_valid(const char *pattern)
{
    size_t len = pattern ? strlen(pattern) : 0;
    if (len == 0 || len > TARGET_PATTERN_MAX) {
        return false;
    }
    size_t segment = 0; // characters in the current segment
    bool star = false;  // the current segment is `*`
    for (const char *p = pattern;; p++) {
        if (*p == '.' || *p == '\0') {
            if (segment == 0 || (star && segment != 1)) {
                return false;
            }
            if (*p == '\0') {
                return true;
            }
            segment = 0;
            star = false;
            continue;
        }
        if (*p == '*') {
            star = true;
        } else if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p)
                     || *p == '_' || *p == '-')) {
            return false;
        }
        segment++;
    }
}

bool
target_pattern_matches(const char *pattern, const char *type)
{
    while (*pattern && *type) {
        const char *pend = strchr(pattern, '.');
        const char *tend = strchr(type, '.');
        size_t plen = pend ? (size_t)(pend - pattern) : strlen(pattern);
        size_t tlen = tend ? (size_t)(tend - type) : strlen(type);
        bool star = plen == 1 && *pattern == '*';
        if (star && !pend) {
            return true; // a last `*`: one or more segments
        }
        if (!star && (plen != tlen || strncmp(pattern, type, plen) != 0)) {
            return false;
        }
        if (!pend || !tend) {
            return !pend && !tend;
        }
        pattern = pend + 1;
        type = tend + 1;
    }
    return false;
}

// True when host[:port] is an entry of the allow-list.
static bool
s_listed(const char *allowed, const char *host, const char *port)
{
    char hostport[320], bracketed[300];
    bool v6 = strchr(host, ':') != NULL;
    if (strlen(host) > 256 || strlen(port) > 8) {
        return false;
    }
    snprintf(bracketed, sizeof bracketed, v6 ? "[%.256s]" : "%.256s", host);
    snprintf(hostport, sizeof hostport, "%.260s:%.8s", bracketed, port);
    const char *p = allowed ? allowed : "";
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') {
            p++;
        }
        size_t len = strcspn(p, " \t,");
        if (len > 0
            && ((strlen(bracketed) == len
                 && strncasecmp(p, bracketed, len) == 0)
                || (strlen(hostport) == len
                    && strncasecmp(p, hostport, len) == 0))) {
            return true;
        }
        p += len;
    }
    return false;
}

bool
target_url_is_allowed(const char *allowed, const char *url, char *why)
{
    nng_url *parsed = NULL;
    const char *reason = NULL;
    if (!url || strlen(url) > TARGET_URL_MAX) {
        reason = "must be at most 2000 characters";
    } else if (strncmp(url, "http://", 7) != 0
               && strncmp(url, "https://", 8) != 0) {
        reason = "must be an http:// or https:// URL";
    } else if (strchr(url, '#') || strchr(url, ' ')) {
        reason = "must not hold a fragment or spaces";
    } else if (nng_url_parse(&parsed, url) != 0 || !parsed->u_hostname
               || !*parsed->u_hostname) {
        reason = "must be a valid URL";
    } else if (parsed->u_userinfo && *parsed->u_userinfo) {
        reason = "must not hold user information";
    } else if (!s_listed(allowed, parsed->u_hostname, parsed->u_port)) {
        reason = "host is not on the allow-list (webhooks/allowed_hosts)";
    }
    if (parsed) {
        nng_url_free(parsed);
    }
    if (reason) {
        snprintf(why, TARGET_WHY_MAX, "%s", reason);
    }
    return reason == NULL;
}
