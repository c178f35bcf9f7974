// OpenBLAS's CBLAS interface plus its thread and build queries (Debian: libopenblas-dev, pkg-config openblas).
#include <cblas.h>
