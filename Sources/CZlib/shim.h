#include <zlib.h>

// deflateInit2/inflateInit2 are macros that pass the library's version and stream size;
// Swift cannot call macros, so these wrappers do.
static inline int czlib_deflate_init(z_stream *stream, int level, int windowBits, int memLevel) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}

static inline int czlib_inflate_init(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
