#ifndef DIVAN_CICU_H
#define DIVAN_CICU_H

#include <stdint.h>

/*
 * The one door to ICU collation. No ICU type appears here: Foundation on Linux ships its own
 * ICU, and importing the system's ICU headers into Swift next to it conflicts, so Swift sees
 * only these functions.
 */

/* Returned by divan_collate_utf8 when ICU could not open its root collator (for example when
 * the ICU data library is missing). Never a comparison result. */
#define DIVAN_COLLATE_ERROR 2

/*
 * Compares two UTF-8 strings by ICU's root collator exactly as Apache CouchDB compares view
 * and Mango keys (couch_ejson_compare.c: ucol_open("") with no attribute changed, so UCA order
 * at tertiary strength, punctuation non-ignorable, no normalization pass beyond ICU's FCD
 * handling).
 *
 * Returns -1, 0 or 1 as `a` sorts before, equal to or after `b`; 0 also for distinct but
 * canonically equivalent strings (NFC and NFD forms). Returns DIVAN_COLLATE_ERROR if the
 * collator cannot be opened. Ill-formed UTF-8 compares as U+FFFD.
 *
 * Thread-safe: each thread lazily opens its own collator on first use (ICU collators must not
 * be shared across threads, and opening one costs far more than a comparison); it is closed
 * when the thread exits. The pointers need only be valid for the duration of the call.
 * O(length of the common prefix plus the first difference), allocation-free after the first
 * call on a thread.
 */
int divan_collate_utf8(const char *a, int32_t alength, const char *b, int32_t blength);

/* The ICU library version, e.g. "72.1", and the collator's UCA version, e.g. "14.0"; for
 * diagnostics. Writes a NUL-terminated string of at most `capacity` bytes; returns 0 on
 * success, -1 if the collator cannot be opened. */
int divan_icu_version(char *buffer, int32_t capacity);
int divan_uca_version(char *buffer, int32_t capacity);

#endif
