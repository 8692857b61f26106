/* ATA PIO, polled: LBA28 READ/WRITE SECTORS and CACHE FLUSH on the primary master.
 * The driver binds its IOPort capability for the command block (TELOS_IO_PORT_BIND) and
 * then touches the ports itself, a whole sector per `rep insw`/`rep outsw`, with no
 * kernel entry. Should the kernel refuse the binding it falls back to invocations, the
 * data register moved in blocks (IN16/OUT16_BLOCK) to keep them few. */
#include "servers/ata.h"
#include "user/telos.h"
#include "lib/string.h"

#define ATA_DATA    0x1F0
#define ATA_COUNT   0x1F2
#define ATA_LBA0    0x1F3
#define ATA_LBA1    0x1F4
#define ATA_LBA2    0x1F5
#define ATA_DRIVE   0x1F6
#define ATA_STATUS  0x1F7
#define ATA_COMMAND 0x1F7

#define ST_ERR 0x01
#define ST_DRQ 0x08
#define ST_DF  0x20
#define ST_BSY 0x80

static u32 io;
static bool direct; /* the ports are bound to this thread */

static u32 in8(u32 port)
{
    if (direct) {
        u8 v;
        __asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"((u16)port));
        return v;
    }
    u32 v = 0;
    const u32 a[2] = { port, 1 };
    telos_invoke(io, TELOS_IO_PORT_IN, 2, a, &v);
    return v & 0xFF;
}

static void out8(u32 port, u32 v)
{
    if (direct)
        __asm__ volatile("outb %b0, %w1" : : "a"((u8)v), "Nd"((u16)port));
    else
        TELOS_INVOKE(io, TELOS_IO_PORT_OUT, port, 1, v);
}

/* Waits until not busy; with `want_drq`, until data is ready. The limit is time (TSC
 * cycles, about 10 s at 1 GHz), not a poll count: polling a bound port is so fast that a
 * count would run out before a slow host disk (QEMU under load) answers. */
#define ATA_TIMEOUT_CYCLES 10000000000ull

static bool wait_ready(bool want_drq)
{
    u64 start = 0;
    for (u32 i = 0;; i++) {
        u32 st = in8(ATA_STATUS);
        if (st == 0xFF || (st & (ST_ERR | ST_DF)))
            return false;
        if (!(st & ST_BSY) && (!want_drq || (st & ST_DRQ)))
            return true;
        if (i == 64)
            start = telos_rdtsc();
        else if (i > 64 && (i & 255) == 0 && telos_rdtsc() - start > ATA_TIMEOUT_CYCLES)
            return false;
    }
}

static void read_words(u16 *out, u32 count)
{
    if (direct) {
        __asm__ volatile("cld; rep insw" : "+D"(out), "+c"(count) : "d"((u16)ATA_DATA) : "memory");
        return;
    }
    while (count) {
        u32 n = count > 240 ? 240 : count;
        struct telos_msg m = { { ATA_DATA, n, 0 }, 0 };
        telos_call(io, TELOS_MSG_INFO(TELOS_IO_PORT_IN16_BLOCK, 0, 2), &m);
        u32 words[120];
        for (u32 i = 0; i < (n + 1) / 2; i++)
            words[i] = i < TELOS_FAST_MRS ? m.mr[i] : telos_ipc->msg[i];
        memcpy(out, words, n * 2);
        out += n;
        count -= n;
    }
}

static void write_words(const u16 *in, u32 count)
{
    if (direct) {
        __asm__ volatile("cld; rep outsw" : "+S"(in), "+c"(count) : "d"((u16)ATA_DATA) : "memory");
        return;
    }
    while (count) {
        u32 n = count > 236 ? 236 : count;
        u32 words[118];
        memset(words, 0, sizeof words);
        memcpy(words, in, n * 2);
        struct telos_msg m = { { ATA_DATA, n, words[0] }, 0 };
        for (u32 i = 1; i < (n + 1) / 2; i++)
            telos_ipc->msg[2 + i] = words[i];
        telos_call(io, TELOS_MSG_INFO(TELOS_IO_PORT_OUT16_BLOCK, 0, 2 + (n + 1) / 2), &m);
        in += n;
        count -= n;
    }
}

u32 ata_init(u32 io_cap, u32 control_cap)
{
    io = io_cap;
    direct = TELOS_INVOKE(io, TELOS_IO_PORT_BIND, 0) == TELOS_OK;
    /* Polled driver: nIEN keeps the drive from raising IRQ 14 at all. */
    TELOS_INVOKE(control_cap, TELOS_IO_PORT_OUT, 0x3F6, 1, 0x02);
    out8(ATA_DRIVE, 0xA0);
    out8(ATA_COUNT, 0);
    out8(ATA_LBA0, 0);
    out8(ATA_LBA1, 0);
    out8(ATA_LBA2, 0);
    out8(ATA_COMMAND, 0xEC); /* IDENTIFY */
    u32 st = in8(ATA_STATUS);
    if (st == 0 || st == 0xFF)
        return 0;
    if (!wait_ready(true))
        return 0;
    u16 id[256];
    read_words(id, 256);
    return id[60] | ((u32)id[61] << 16);
}

static bool start(u32 lba, u32 count, u32 command)
{
    if (!wait_ready(false))
        return false;
    out8(ATA_DRIVE, 0xE0 | ((lba >> 24) & 0x0F));
    out8(ATA_COUNT, count);
    out8(ATA_LBA0, lba & 0xFF);
    out8(ATA_LBA1, (lba >> 8) & 0xFF);
    out8(ATA_LBA2, (lba >> 16) & 0xFF);
    out8(ATA_COMMAND, command);
    return wait_ready(true);
}

bool ata_read(u32 lba, u32 count, void *buf)
{
    if (count == 0 || count > 255 || !start(lba, count, 0x20))
        return false;
    u16 *p = buf;
    for (u32 i = 0; i < count; i++, p += 256) {
        if (i && !wait_ready(true))
            return false;
        read_words(p, 256);
    }
    return true;
}

bool ata_write(u32 lba, u32 count, const void *buf)
{
    if (count == 0 || count > 255 || !start(lba, count, 0x30))
        return false;
    const u16 *p = buf;
    for (u32 i = 0; i < count; i++, p += 256) {
        if (i && !wait_ready(true))
            return false;
        write_words(p, 256);
    }
    if (!wait_ready(false))
        return false;
    out8(ATA_COMMAND, 0xE7); /* CACHE FLUSH: the write is on the medium before we go on */
    return wait_ready(false);
}
