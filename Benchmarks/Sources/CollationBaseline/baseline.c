/* The benchmark's baselines; Divan's own ICU calls are all in Sources/CICU/collation.c. */
#include <string.h>
#include <unicode/ucol.h>

#include "CollationBaseline.h"

int64_t bench_memcmp_loop(const char *const *strings, const int32_t *lengths, const int32_t *pairs, int64_t pair_count) {
    int64_t sum = 0;
    for (int64_t k = 0; k < pair_count; k++) {
        int32_t a = pairs[2 * k], b = pairs[2 * k + 1];
        int32_t la = lengths[a], lb = lengths[b];
        int c = memcmp(strings[a], strings[b], (size_t)(la < lb ? la : lb));
        if (c == 0) {
            c = la - lb;
        }
        sum += (c > 0) - (c < 0);
    }
    return sum;
}

int64_t bench_icu_loop(const char *const *strings, const int32_t *lengths, const int32_t *pairs, int64_t pair_count) {
    UErrorCode status = U_ZERO_ERROR;
    UCollator *collator = ucol_open("", &status);
    if (U_FAILURE(status)) {
        return INT64_MIN;
    }
    int64_t sum = 0;
    for (int64_t k = 0; k < pair_count; k++) {
        int32_t a = pairs[2 * k], b = pairs[2 * k + 1];
        sum += ucol_strcollUTF8(collator, strings[a], lengths[a], strings[b], lengths[b], &status);
    }
    ucol_close(collator);
    return U_FAILURE(status) ? INT64_MIN : sum;
}
