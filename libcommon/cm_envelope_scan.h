// cm_envelope_scan — a cheap look at an envelope's text: one strict pass
// over the JSON that builds no tree and finds where the values of some
// top-level members are. The broker reads `id` and `deadline` this way and
// the gateway forwards a reply's `body` text as it came, instead of parsing
// and re-encoding it (docs/architecture.md §3: the hops cost more than the
// work).
//
// The scan is an accelerator, not a parser of its own: it answers "valid,
// and here are the spans" only for text that jansson would load (flags 0 or
// JSON_REJECT_DUPLICATES) to the same values. Anything it cannot decide
// cheaply — a duplicate key, an escape in a key, a real number, an integer
// of more than 18 digits, nesting deeper than CM_ENVELOPE_SCAN_DEPTH_MAX,
// more than CM_ENVELOPE_SCAN_KEYS_MAX open keys — and anything invalid makes
// it return -1: the caller then takes the jansson path, which gives the
// definitive answer and the error text.
#ifndef LIBCOMMON_CM_ENVELOPE_SCAN_H
#define LIBCOMMON_CM_ENVELOPE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CM_ENVELOPE_SCAN_DEPTH_MAX  64  // deeper text is left to jansson
#define CM_ENVELOPE_SCAN_KEYS_MAX   256 // keys of open objects, at most
#define CM_ENVELOPE_SCAN_DIGITS_MAX 18  // longer integers: left to jansson

// Where a member's value is in the scanned text.
typedef struct {
    const char *data; // first byte of the value; NULL when absent (borrowed)
    size_t size;      // bytes of the value's text
} cm_envelope_span_t;

// Scan size bytes as one JSON object (surrounding whitespace allowed) and
// set spans[i] to the value of the top-level member names[i] ({NULL, 0}
// when absent). Returns 0, or -1 when the text is not valid or not simple
// enough (see above); spans are then unspecified. Spans borrow data.
int cm_envelope_scan(const char *data, size_t size, const char *const *names,
                     cm_envelope_span_t *spans, size_t count);

// True when the span holds a value (the member was present).
bool cm_envelope_span_is_set(const cm_envelope_span_t *span);

// True when the span's value is JSON null / an object.
bool cm_envelope_span_is_null(const cm_envelope_span_t *span);
bool cm_envelope_span_is_object(const cm_envelope_span_t *span);

// Copy a string value without escapes into out (out_size bytes, NUL
// terminated). Returns 0, or -1 when the value is absent, not a string,
// contains an escape or does not fit.
int cm_envelope_span_string(const cm_envelope_span_t *span, char *out,
                            size_t out_size);

// Read an integer value (as scanned: at most 18 digits). Returns 0, or -1
// when the value is absent or not an integer.
int cm_envelope_span_int(const cm_envelope_span_t *span, int64_t *value);

// The string members names[i] of a JSON object's text (NUL terminated),
// without building a tree: values[i] points at a copy in out + i * each,
// or is NULL when the member is absent, null or "". Returns 0, or -1 when
// the scan cannot decide (see above), a value is not a string, holds an
// escape or is longer than each - 1 bytes: the caller then loads the text
// with jansson. At most CM_ENVELOPE_SCAN_STRINGS_MAX names.
#define CM_ENVELOPE_SCAN_STRINGS_MAX 8
int cm_envelope_scan_strings(const char *text, const char *const *names,
                             size_t count, char *out, size_t each,
                             const char **values);

#endif
