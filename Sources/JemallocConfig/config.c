// jemalloc's compile-time options for every process that links BenchKit (bench and the tests).
// Freed pages stay with jemalloc instead of going back to the OS: by default jemalloc purges dirty pages on a decay
// curve (and requests above 8 MiB use an arena that purges at once), so every fresh tensor re-faults its pages.
// Measured here: GELU forward over a (1576, 1536) tensor 3.4 GB/s with the defaults, 10.2 GB/s without purging;
// page faults of a short run 154,682 vs 8,029. This is what a framework's caching allocator does too. Allocation
// accounting (stats.allocated, thread peaks, the ledger) is unchanged; RSS stays at its high-water mark.
//
// lg_extent_max_active_fit: jemalloc coalesces freed dirty extents only when it purges them, which it now never
// does, and by default it will not split a free extent for a request under 1/64 of its size (2^6; now 2^20).
// Together these made the heap of a deep standard model grow every step, each step faulting in fresh pages:
// ViT-S depth 48, batch 2 ran 1.93 s per step with RSS climbing to 4.2 GB (jemalloc peak 2.1 GB); allowing any
// split gives 0.75 s and RSS 2.0 GB, flat from step to step. Depth 12 and the reversible models did not change.
// The `resident_growth_bytes` column, bench's warning and MeasurementTests watch for this.
#include "JemallocConfig.h"

const char *malloc_conf = "oversize_threshold:0,dirty_decay_ms:-1,muzzy_decay_ms:-1,lg_extent_max_active_fit:20";

const char *revbench_malloc_conf(void) { return malloc_conf; }
