/* Block session client (user/blockclient.h). */
#include "user/blockclient.h"
#include "user/telos.h"
#include "lib/string.h"

u32 block_request(u32 ep, u32 label, u32 lba, u32 count)
{
    struct telos_msg m = { { lba, count, 0 }, 0 };
    return TELOS_MSG_LABEL(telos_call(ep, TELOS_MSG_INFO(label, 0, 2), &m));
}

u32 block_session_init(struct block_session *s, u32 ep, void *buffer)
{
    s->ep = ep;
    s->buffer = buffer;
    s->sectors = 0;
    s->writable = false;
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    u32 info = telos_call(ep, TELOS_MSG_INFO(BLOCK_INFO, 0, 0), &m);
    if (TELOS_MSG_LABEL(info))
        return TELOS_MSG_LABEL(info);
    s->sectors = m.mr[0];
    s->writable = m.mr[1] == 1;
    return 0;
}

u32 block_read(const struct block_session *s, u32 lba, u32 count, void *out)
{
    for (u8 *p = out; count;) {
        u32 n = count > BLOCK_BUFFER_SECTORS ? BLOCK_BUFFER_SECTORS : count;
        u32 err = block_request(s->ep, BLOCK_READ, lba, n);
        if (err)
            return err;
        memcpy(p, s->buffer, n * BLOCK_SECTOR);
        lba += n;
        count -= n;
        p += n * BLOCK_SECTOR;
    }
    return 0;
}

u32 block_write_sectors(const struct block_session *s, u32 lba, u32 count, const u8 *const *sectors)
{
    /* At most 255 sectors a request: one ATA command each, as the driver issues them. */
    while (count) {
        u32 n = count > 255 ? 255 : count;
        for (u32 i = 0; i < n; i++)
            memcpy(s->buffer + i * BLOCK_SECTOR, sectors[i], BLOCK_SECTOR);
        u32 err = block_request(s->ep, BLOCK_WRITE, lba, n);
        if (err)
            return err;
        lba += n;
        count -= n;
        sectors += n;
    }
    return 0;
}

u32 block_write(const struct block_session *s, u32 lba, u32 count, const void *in)
{
    while (count) {
        u32 n = count > 255 ? 255 : count;
        memcpy(s->buffer, in, n * BLOCK_SECTOR);
        u32 err = block_request(s->ep, BLOCK_WRITE, lba, n);
        if (err)
            return err;
        lba += n;
        count -= n;
        in = (const u8 *)in + n * BLOCK_SECTOR;
    }
    return 0;
}

u32 block_flush(const struct block_session *s)
{
    return block_request(s->ep, BLOCK_FLUSH, 0, 0);
}
