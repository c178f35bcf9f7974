// jemalloc's control interface, and nothing else: malloc/free stay libc's names, which jemalloc replaces when linked.
// Debian's libjemalloc-dev builds without a prefix, so the symbol is plain `mallctl`.
#include <stddef.h>
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
