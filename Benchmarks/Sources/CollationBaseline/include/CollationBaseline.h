#ifndef DIVAN_BENCH_COLLATION_BASELINE_H
#define DIVAN_BENCH_COLLATION_BASELINE_H

#include <stdint.h>

/*
 * Baselines for `divan-bench collation`: the same comparisons as Divan's, done in a plain C
 * loop with no Swift in it. `strings[i]` is UTF-8 of `lengths[i]` bytes; each of the
 * `pair_count` comparisons takes strings `pairs[2k]` and `pairs[2k + 1]`. Both return the sum
 * of the comparison signs (so the work cannot be optimised away). Single-threaded.
 */

/* memcmp, then length: raw byte order, the cheapest possible string order. */
int64_t bench_memcmp_loop(const char *const *strings, const int32_t *lengths, const int32_t *pairs, int64_t pair_count);

/* ucol_strcollUTF8 with one root collator (ucol_open("")), as CouchDB opens it. Returns
 * INT64_MIN if the collator cannot be opened. */
int64_t bench_icu_loop(const char *const *strings, const int32_t *lengths, const int32_t *pairs, int64_t pair_count);

#endif
