// prctl(PR_SET_PDEATHSIG) for Swift, which does not import C's variadic prctl: a bench child asks the kernel to
// kill it when its parent dies, however the parent dies (SIGTERM, SIGKILL, a crash).
#ifdef __linux__
#include <sys/prctl.h>
#include <signal.h>
static inline int revbench_die_with_parent(void) { return prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0); }
#else
static inline int revbench_die_with_parent(void) { return -1; }
#endif
