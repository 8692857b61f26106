/* Building a process: an address space from a program image, a CNode with the TelOS
 * layout (user/layout.h) and a thread, from objects a caller-supplied allocator makes.
 * The root task allocates from its untyped memory; the PMS asks the MMS. */
#ifndef TELOS_USER_PROCESS_H
#define TELOS_USER_PROCESS_H
#include <telos/types.h>

struct process {
    u32 tcb, cnode, pd, ipc_frame, entry;
};

struct cap_grant {
    u32 src, dest, rights;
};

struct process_builder {
    /* Makes one object; returns its slot in our CNode, or 0 (error in *err). */
    u32 (*alloc)(u32 type, u32 size_bits, u32 *err);
    u32 own_cnode, own_vspace;
    u32 scratch_vaddr;   /* a page-table-backed spot in our address space for copying */
    u32 cnode_radix;     /* the new process's CNode: 2^radix slots; 0 for CHILD_CNODE_RADIX */
};

/* Builds the process; it starts at once when `start`, else waits for a TCB Resume.
 * Returns 0 or the first error (TELOS_E*). */
u32 process_build(const struct process_builder *b, const u8 *image, u32 image_size, const char *name, u32 role,
                  u32 arg, u32 priority, u32 fault_ep, const struct cap_grant *caps, u32 ncaps, bool start,
                  struct process *out);

void thread_set_name(u32 tcb, const char *name);

#endif
