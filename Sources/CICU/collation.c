/*
 * The only caller of ucol_* in Divan (see include/CICU.h for the contract).
 *
 * Rejected designs: one collator behind a mutex (every view and Mango comparison would
 * contend on it); ucol_safeClone per call (a clone costs about as much as thousands of
 * comparisons); a __thread pointer alone (no destructor, so every thread that ever collated
 * would leak its collator).
 */
#include <pthread.h>
#include <stdio.h>
#include <unicode/ucol.h>
#include <unicode/uversion.h>

#include "CICU.h"

static pthread_key_t collator_key;
static pthread_once_t collator_key_once = PTHREAD_ONCE_INIT;
/* Fast path to this thread's collator; the key only exists to close it at thread exit. */
static __thread UCollator *thread_collator = NULL;

static void close_collator(void *collator) {
    ucol_close((UCollator *)collator);
}

static void make_collator_key(void) {
    pthread_key_create(&collator_key, close_collator);
}

/* This thread's root collator, opened on first use; NULL if ICU cannot open it. */
static UCollator *collator(void) {
    if (thread_collator != NULL) {
        return thread_collator;
    }
    UErrorCode status = U_ZERO_ERROR;
    /* Exactly CouchDB's collator: the root locale, no attribute changed. */
    UCollator *opened = ucol_open("", &status);
    if (U_FAILURE(status)) {
        if (opened != NULL) {
            ucol_close(opened);
        }
        return NULL;
    }
    pthread_once(&collator_key_once, make_collator_key);
    pthread_setspecific(collator_key, opened);
    thread_collator = opened;
    return opened;
}

int divan_collate_utf8(const char *a, int32_t alength, const char *b, int32_t blength) {
    UCollator *c = collator();
    if (c == NULL) {
        return DIVAN_COLLATE_ERROR;
    }
    UErrorCode status = U_ZERO_ERROR;
    UCollationResult result = ucol_strcollUTF8(c, a, alength, b, blength, &status);
    if (U_FAILURE(status)) {
        /* Only argument errors (a negative length other than -1, a NULL pointer) get here. */
        return DIVAN_COLLATE_ERROR;
    }
    return (int)result;
}

static int format_version(const UVersionInfo version, char *buffer, int32_t capacity) {
    char text[U_MAX_VERSION_STRING_LENGTH];
    u_versionToString(version, text);
    snprintf(buffer, (size_t)capacity, "%s", text);
    return 0;
}

int divan_icu_version(char *buffer, int32_t capacity) {
    UVersionInfo version;
    u_getVersion(version);
    return format_version(version, buffer, capacity);
}

int divan_uca_version(char *buffer, int32_t capacity) {
    UCollator *c = collator();
    if (c == NULL) {
        return -1;
    }
    UVersionInfo version;
    ucol_getUCAVersion(c, version);
    return format_version(version, buffer, capacity);
}
