/* The Persistence Server's IPC protocol: Calls on its endpoint, label = operation, reply
 * label = status. One transaction is open at a time; Put is batched (many objects in one
 * message), and nothing is visible to Get or on disk until Commit. */
#ifndef TELOS_PS_H
#define TELOS_PS_H

#define PS_BEGIN   1  /* -> MR0 txid */
#define PS_PUT     2  /* MR0 txid, MR1 count, then per object: oid, length, (length+3)/4 data words */
#define PS_GET     3  /* MR0 oid, MR1 offset (optional) -> MR0 length, then up to 448 bytes from offset */
#define PS_COMMIT  4  /* MR0 txid -> MR0 tid written */
#define PS_ABORT   5  /* MR0 txid */
#define PS_STAT    6  /* -> MR0 objects, MR1 last tid, MR2 log end sector, MR3 generation */
#define PS_PUT_PART 8 /* MR0 txid, MR1 oid, MR2 total length, MR3 offset, MR4 bytes here, data from MR5:
                       * one object larger than a message, in order of offset */
#define PS_SHUTDOWN 9 /* (root task and bridge only) abort any open transaction, write the superblock, accept no more
                       * transactions: the disk is quiescent and power can go */
#define PS_LIST    7  /* MR0 first index -> MR0 total objects, MR1 count, then count oids (at most 100) */

#define PS_TEXT_MAX    448 /* the largest object one Get answer holds */

#define PS_OK          0
#define PS_ENOT_FOUND  1
#define PS_EBAD_TX     2
#define PS_EMALFORMED  3
#define PS_EFULL       4
#define PS_EIO         5
#define PS_EUNKNOWN    6
#define PS_ESHUT_DOWN  7

#endif
