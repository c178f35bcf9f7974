// malloc_usable_size: the bytes the process allocator (jemalloc, when linked) really reserved for a block.
#include <malloc.h>
