// The malloc_conf string RevBench gives jemalloc (referenced from Swift so the linker keeps the symbol).
const char *revbench_malloc_conf(void);
