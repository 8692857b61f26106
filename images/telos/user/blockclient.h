/* A block session's client side (include/telos/block.h): requests of any length, cut
 * into buffer-sized commands, with the data copied through the shared buffer. */
#ifndef TELOS_USER_BLOCKCLIENT_H
#define TELOS_USER_BLOCKCLIENT_H
#include <telos/block.h>
#include <telos/types.h>

struct block_session {
    u32 ep;        /* the session's badged endpoint capability */
    u8 *buffer;    /* the shared buffer, BLOCK_BUFFER_BYTES */
    u32 sectors;   /* sectors in the session (0 when it answered nothing) */
    bool writable;
};

/* Asks the server what the session is; returns 0 or the error. */
u32 block_session_init(struct block_session *s, u32 ep, void *buffer);
/* Each returns 0 or the first error (TELOS_E* or BLOCK_EIO). */
u32 block_read(const struct block_session *s, u32 lba, u32 count, void *out);
u32 block_write(const struct block_session *s, u32 lba, u32 count, const void *in);
/* The same with each sector's 512 bytes wherever they are. */
u32 block_write_sectors(const struct block_session *s, u32 lba, u32 count, const u8 *const *sectors);
u32 block_flush(const struct block_session *s);
/* One request as it is (the data stays in the buffer): for tests and benches. */
u32 block_request(u32 ep, u32 label, u32 lba, u32 count);

#endif
