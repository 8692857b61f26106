/* The block server: the only program that touches the ATA controller. It owns the I/O
 * port capabilities of the primary channel and serves block sessions (include/telos/
 * block.h): a session is a range of sectors of one disk, read-only or read-write, named
 * by the badge of the endpoint capability its client holds, with a buffer shared by the
 * server and that client. The root task opens sessions (the control badge) and maps
 * their buffers; a client can name only its own session, and every request is checked
 * against the session's bounds before the drive sees it.
 *
 * Capabilities: ARG0 the ATA command block ports, ARG1 the control port, ARG2 its endpoint. */
#include <telos/block.h>
#include "servers/ata.h"
#include "user/telos.h"
#include "lib/string.h"

struct session {
    bool open, writable;
    u32 disk, first, sectors;
};

static u32 disk_sectors[ATA_DISKS];
static struct session sessions[BLOCK_MAX_SESSIONS];

static struct session *session_of(u32 badge)
{
    if (badge < BLOCK_FIRST_SESSION || badge >= BLOCK_FIRST_SESSION + BLOCK_MAX_SESSIONS)
        return NULL;
    struct session *s = &sessions[badge - BLOCK_FIRST_SESSION];
    return s->open ? s : NULL;
}

/* Checks [lba, lba + count) against the session without overflowing. */
static u32 check_range(const struct session *s, u32 lba, u32 count)
{
    if (count == 0 || count > BLOCK_BUFFER_SECTORS)
        return TELOS_EINVALID_ARGUMENT;
    if (lba >= s->sectors || count > s->sectors - lba)
        return TELOS_ERANGE;
    return TELOS_OK;
}

static u32 transfer(const struct session *s, u32 badge, u32 lba, u32 count, bool write)
{
    u8 *buf = (u8 *)BLOCK_SERVER_BUFFER(badge);
    u32 at = s->first + lba;
    while (count) {
        u32 n = count > 255 ? 255 : count;
        bool ok = write ? ata_write(s->disk, at, n, buf) : ata_read(s->disk, at, n, buf);
        if (!ok)
            return BLOCK_EIO;
        at += n;
        buf += n * BLOCK_SECTOR;
        count -= n;
    }
    return TELOS_OK;
}

static u32 control(u32 label, u32 len, const u32 *mr, u32 *reply, u32 *reply_len)
{
    switch (label) {
    case BLOCK_DISKS:
        reply[0] = disk_sectors[0];
        reply[1] = disk_sectors[1];
        *reply_len = 2;
        return TELOS_OK;
    case BLOCK_OPEN: {
        if (len < 5)
            return TELOS_ETRUNCATED_MESSAGE;
        u32 badge = mr[0], disk = mr[1], first = mr[2], count = mr[3];
        if (badge < BLOCK_FIRST_SESSION || badge >= BLOCK_FIRST_SESSION + BLOCK_MAX_SESSIONS || disk >= ATA_DISKS)
            return TELOS_EINVALID_ARGUMENT;
        if (count == 0 || first >= disk_sectors[disk] || count > disk_sectors[disk] - first)
            return TELOS_ERANGE;
        sessions[badge - BLOCK_FIRST_SESSION] = (struct session){ true, mr[4] == 1, disk, first, count };
        return TELOS_OK;
    }
    case BLOCK_CLOSE:
        if (len < 1 || !session_of(mr[0]))
            return TELOS_EINVALID_ARGUMENT;
        sessions[mr[0] - BLOCK_FIRST_SESSION].open = false;
        return TELOS_OK;
    default:
        return TELOS_EILLEGAL_OPERATION;
    }
}

static u32 serve(u32 badge, u32 label, u32 len, const u32 *mr, u32 *reply, u32 *reply_len)
{
    *reply_len = 0;
    if (badge == BLOCK_BADGE_CONTROL)
        return control(label, len, mr, reply, reply_len);
    const struct session *s = session_of(badge);
    if (!s)
        return TELOS_EINVALID_CAPABILITY;
    switch (label) {
    case BLOCK_INFO:
        reply[0] = s->sectors;
        reply[1] = s->writable;
        reply[2] = BLOCK_BUFFER_SECTORS;
        *reply_len = 3;
        return TELOS_OK;
    case BLOCK_READ:
    case BLOCK_WRITE: {
        if (len < 2)
            return TELOS_ETRUNCATED_MESSAGE;
        if (label == BLOCK_WRITE && !s->writable)
            return TELOS_EILLEGAL_OPERATION;
        u32 err = check_range(s, mr[0], mr[1]);
        return err ? err : transfer(s, badge, mr[0], mr[1], label == BLOCK_WRITE);
    }
    case BLOCK_FLUSH:
        if (!s->writable)
            return TELOS_OK;
        return ata_flush(s->disk) ? TELOS_OK : BLOCK_EIO;
    default:
        return TELOS_EILLEGAL_OPERATION;
    }
}

int main(void)
{
    ata_init(CHILD_SLOT_ARG0, CHILD_SLOT_ARG1, disk_sectors);
    telos_printf("TelOS: block: serving (disk 0: %u sectors, disk 1: %u sectors)\n", disk_sectors[0], disk_sectors[1]);
    struct telos_msg m = { { 0, 0, 0 }, 0 };
    u32 info = telos_recv(CHILD_SLOT_ARG2, &m);
    for (;;) {
        u32 mr[8], reply[3] = { 0, 0, 0 }, reply_len;
        u32 len = TELOS_MSG_LENGTH(info);
        for (u32 i = 0; i < 8; i++)
            mr[i] = i < TELOS_FAST_MRS ? m.mr[i] : (i < len ? telos_ipc->msg[i] : 0);
        u32 status = serve(m.badge, TELOS_MSG_LABEL(info), len, mr, reply, &reply_len);
        m.mr[0] = reply[0];
        m.mr[1] = reply[1];
        m.mr[2] = reply[2];
        info = telos_reply_recv(CHILD_SLOT_ARG2, TELOS_MSG_INFO(status, 0, reply_len), &m);
    }
}
