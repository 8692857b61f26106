/* Calls on a Persistence Server endpoint (the protocol of include/telos/ps.h), shared by
 * every program that talks to the PS. Each returns the PS status (PS_OK or PS_E*). */
#ifndef TELOS_USER_PSCLIENT_H
#define TELOS_USER_PSCLIENT_H
#include <telos/abi.h>
#include <telos/types.h>

struct ps_stat {
    u32 objects, last_tid, log_end, generation, object_bytes, region_sectors, epoch, compactions, open_transactions,
        active_region;
};

u32 ps_begin(u32 ep, u32 *tx);
/* Stages one object of any size up to PSDISK_MAX_OBJECT_SIZE (PUT or PUT_PART). */
u32 ps_put(u32 ep, u32 tx, u32 oid, const void *bytes, u32 len);
u32 ps_commit(u32 ep, u32 tx, u32 *tid);
u32 ps_abort(u32 ep, u32 tx);
/* Reads a whole object (up to `max` bytes) into `out`; `*len` gets its full length. */
u32 ps_get(u32 ep, u32 oid, void *out, u32 max, u32 *len);
/* The same inside transaction `tx` (the read joins its read set); `*serial` (may be NULL)
 * gets the tid that wrote the value read. */
u32 ps_get_tx(u32 ep, u32 tx, u32 oid, void *out, u32 max, u32 *len, u32 *serial);
u32 ps_stat(u32 ep, struct ps_stat *s);

/* Selector lookup in the PS's object graph (PS_LOOKUP); `result` is a PSOBJ_* code. */
struct ps_lookup_result {
    u32 result, holder, kind, trait, other, at;
    char slot[64];
};
u32 ps_lookup(u32 ep, u32 receiver, const char *selector, struct ps_lookup_result *r);
/* PS_PACK: mode PS_PACK_CHECKPOINT or PS_PACK_REACHABLE. */
u32 ps_pack(u32 ep, u32 mode, u32 *removed, u32 *kept);

/* Many small objects in one Put message. */
struct ps_batch {
    u32 words[TELOS_MAX_MRS];
    u32 len, count;
};
void ps_batch_start(struct ps_batch *b, u32 tx);
/* False when the object does not fit in this message any more (send it, start again). */
bool ps_batch_add(struct ps_batch *b, u32 oid, const void *bytes, u32 n);
u32 ps_batch_put(u32 ep, struct ps_batch *b);

/* Blobs (psdisk.h: the blob magic, then raw bytes): for data with no slots, such as
 * program image chunks and test patterns. `n` at most PSDISK_MAX_OBJECT_SIZE - 4. */
bool ps_batch_add_blob(struct ps_batch *b, u32 oid, const void *data, u32 n);
u32 ps_put_blob(u32 ep, u32 tx, u32 oid, const void *data, u32 n);
/* Reads a blob's data (without the magic) into out; PS_EMALFORMED when it is no blob. */
u32 ps_get_blob(u32 ep, u32 oid, void *out, u32 max, u32 *len);

#endif
