// target — what a webhook may subscribe to and where it may send (pure).
//
// Event patterns are dotted event types whose segments may be `*`: a `*`
// matches exactly one segment, except as the last segment, where it
// matches one or more ("intake.case.*" matches intake.case.created and
// intake.case.x.y; "*.case.created" matches intake.case.created; "*"
// matches every type).
//
// URLs are http:// or https://, without user information or fragment, to a
// host on the allow-list: space-separated entries "host" (any port) or
// "host:port" ("[::1]:8443" for IPv6), compared case-insensitively with the
// URL's host exactly as written. No name is resolved: the list decides, so
// a webhook reaches only what the operator listed (see docs/events.md).
#ifndef WEBHOOKS_TARGET_H
#define WEBHOOKS_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#define TARGET_PATTERN_MAX 200  // characters of one pattern
#define TARGET_URL_MAX     2000 // characters of a URL
#define TARGET_WHY_MAX     160  // a refusal's reason

// True when pattern is well formed (segments of a-z 0-9 _ - or `*`).
bool target_pattern_is_valid(const char *pattern);

// True when event type `type` matches pattern.
bool target_pattern_matches(const char *pattern, const char *type);

// True when url may be delivered to under allow-list `allowed`; otherwise
// false with the reason in why (TARGET_WHY_MAX bytes).
bool target_url_is_allowed(const char *allowed, const char *url, char *why);

#endif
