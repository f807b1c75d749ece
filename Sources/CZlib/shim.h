#ifndef CHAT_ENGINE_CZLIB_SHIM_H
#define CHAT_ENGINE_CZLIB_SHIM_H
#include <zlib.h>

// deflateInit2/inflateInit2 are macros Swift cannot import; these wrappers pass the version and size.
static inline int czlib_deflate_init2(z_streamp stream, int level, int windowBits, int memLevel) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}

static inline int czlib_inflate_init2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
#endif
