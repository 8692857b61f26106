/* The Persistence Server's IPC protocol: Calls on its endpoint, label = operation, reply
 * label = status (PS_OK or PS_E*). Objects are typed objects or blobs in the encoding of
 * psdisk.h ("OBJECTS"); the PS refuses any other bytes (PS_EMALFORMED).
 *
 * Transactions run side by side, any number of clients at once. Put stages objects in
 * the transaction; nothing is visible to Get or on disk until Commit. Commit checks the
 * transaction against what was committed since its Begin (optimistic concurrency): it
 * fails with PS_ECONFLICT, nothing written, when an object it writes was committed by
 * another transaction since, or an object it read (Get with its txid) changed. Nothing
 * waits for anything: a client that stalls holds only its own staged bytes, and when
 * staging memory or transaction slots run out the transaction idle longest is aborted
 * (its owner's next call on it answers PS_EBAD_TX). A transaction belongs to the badge
 * that began it; a client holds at most four at once (a fifth Begin aborts its oldest).
 * Commit answers PS_EFULL, nothing written, when the PS could not hold the result (its
 * object table or memory, or half a disk region for a checkpoint; psdisk.h CAPACITY).
 *
 * Two-phase commit (a prepared transaction, committed or aborted later, in doubt across
 * a reboot until resolved) has its record types reserved in psdisk.h; not served yet. */
#ifndef TELOS_PS_H
#define TELOS_PS_H

#define PS_BEGIN    1  /* -> MR0 txid, MR1 the last committed tid (the transaction's snapshot) */
#define PS_PUT      2  /* MR0 txid, MR1 count, then per object: oid, length, (length+3)/4 data words;
                        * the whole batch is checked before any of it is staged */
#define PS_GET      3  /* MR0 oid, MR1 offset (optional), MR2 txid (optional: the read joins its read set)
                        * -> MR0 length, MR1 serial (the tid that wrote it), then up to PS_GET_MAX bytes from offset */
#define PS_COMMIT   4  /* MR0 txid -> MR0 tid written */
#define PS_ABORT    5  /* MR0 txid */
#define PS_STAT     6  /* -> MR0 objects, MR1 last tid, MR2 log end sector, MR3 generation, MR4 object bytes,
                        * MR5 region sectors, MR6 epoch, MR7 compactions since mount, MR8 open transactions,
                        * MR9 active region */
#define PS_LIST     7  /* MR0 first index -> MR0 total objects, MR1 count, then count oids (at most PS_LIST_MAX) */
#define PS_PUT_PART 8  /* MR0 txid, MR1 oid, MR2 total length, MR3 offset, MR4 bytes here, data from MR5:
                        * one object larger than a message, in order of offset; checked when complete */
#define PS_SHUTDOWN 9  /* (root task and bridge only) abort every open transaction, write the superblock,
                        * accept no more commits: the disk is quiescent and power can go */
#define PS_LOOKUP   10 /* MR0 receiver oid, MR1 selector length, selector from MR2 -> MR0 lookup result
                        * (PSOBJ_* of lib/psobj.h), MR1 holder, MR2 slot kind, MR3 trait, MR4 the second trait
                        * or holder of a conflict or ambiguity, MR5 the object that answered, MR6 slot name
                        * length, the slot's name from MR7 */
#define PS_PACK     11 /* (root task and bridge only) MR0 PS_PACK_CHECKPOINT or PS_PACK_REACHABLE: compacts
                        * the log into the other region, with every object or only those reachable from the
                        * root (and those open transactions name) -> MR0 removed, MR1 kept, MR2 sectors */
#define PS_REMOUNT  12 /* (root task only; tests) forget everything in memory and mount the disk again, as
                        * at start -> MR0 last tid, MR1 objects, MR2 generation, MR3 1 when the disk is in use */

#define PS_PACK_CHECKPOINT 0
#define PS_PACK_REACHABLE  1

#define PS_GET_MAX        472 /* bytes of an object one Get answer holds: (TELOS_MAX_MRS - 2) * 4 */
#define PS_LIST_MAX       100
#define PS_MAX_TX_OBJECTS 4096

#define PS_OK          0
#define PS_ENOT_FOUND  1
#define PS_EBAD_TX     2
#define PS_EMALFORMED  3
#define PS_EFULL       4
#define PS_EIO         5
#define PS_EUNKNOWN    6
#define PS_ESHUT_DOWN  7
#define PS_ECONFLICT   8
#define PS_EBUSY       9

#endif
