/* The genesis object graph (include/telos/genesis.h): built by the root task in the PS on
 * an empty disk, and on every later boot read back and checked object by object, slot by
 * slot (the Phase 3 plan's Stage 3 validation). */
#ifndef TELOS_USER_GENESIS_H
#define TELOS_USER_GENESIS_H
#include <telos/types.h>
#include "user/process.h"

/* What the graph's capability slots and the MMS's memory describe. */
struct genesis_env {
    struct process ps, mms, pms; /* the root task's slots of each server's TCB, CNode and VSpace */
    u32 ps_ep, mms_ep, pms_ep;   /* the root task's slot of each server's endpoint */
    u32 mms_memory_bits;         /* log2 of the untyped memory delegated to the MMS */
    const u8 *test_proc;         /* test_proc's program image */
    u32 test_proc_size;
};

/* Encodes the genesis object `oid` into buf; its length, or 0 when oid is not one the root
 * task writes (the PMS writes test_proc's process object and the processes mapping grows). */
u32 genesis_encode(u32 oid, const struct genesis_env *env, u8 *buf, u32 capacity);
/* The oids genesis_commit writes, in order; returns how many. */
u32 genesis_oids(const struct genesis_env *env, u32 *oids, u32 max);

/* Commits every genesis object in one transaction on the PS endpoint `ep` (a root badge). */
u32 genesis_commit_to(u32 ep, const struct genesis_env *env, u32 *objects, u32 *tid);

struct genesis_counts {
    u32 objects, slots, parents, caps, traits, chunks;
};
/* Reads every genesis object back and compares it with what genesis_commit writes, and
 * checks test_proc's process object and its place in the processes mapping. Prints the
 * first difference; true when there is none. */
bool genesis_validate(u32 ep, const struct genesis_env *env, struct genesis_counts *counts);

#endif
