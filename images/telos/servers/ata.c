/* ATA PIO, polled: LBA28 READ/WRITE SECTORS and CACHE FLUSH on the primary channel's
 * master (disk 0) and slave (disk 1).
 * The driver binds its IOPort capability for the command block (user/ioport.h) and then
 * touches the ports itself, a whole sector per `rep insw`/`rep outsw`, with no kernel
 * entry; should the kernel refuse the binding, each access is an invocation. Writes are
 * not flushed: the caller orders them with ata_flush (the PS does, psdisk.h). An absent
 * drive reads status 0 (v86 and QEMU alike) and is reported as size 0. */
#include "servers/ata.h"
#include "user/ioport.h"
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

static struct io_ports io; /* the command block, bound to this thread when the kernel allows */

static u32 in8(u32 port) { return io_in8(&io, port); }
static void out8(u32 port, u32 v) { io_out8(&io, port, v); }

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

/* Selects `disk` for the next command (LBA mode, the top four LBA bits). */
static void select(u32 disk, u32 lba_top)
{
    out8(ATA_DRIVE, 0xE0 | (disk ? 0x10 : 0) | (lba_top & 0x0F));
}

static u32 identify(u32 disk)
{
    select(disk, 0);
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
    io_in16_block(&io, ATA_DATA, id, 256);
    return id[60] | ((u32)id[61] << 16);
}

void ata_init(u32 io_cap, u32 control_cap, u32 sizes[ATA_DISKS])
{
    io_ports_open(&io, io_cap, 0);
    /* Polled driver: nIEN keeps the drives from raising IRQ 14 at all. */
    const struct io_ports control = { control_cap, false };
    io_out8(&control, 0x3F6, 0x02);
    for (u32 d = 0; d < ATA_DISKS; d++)
        sizes[d] = identify(d);
}

static bool start(u32 disk, u32 lba, u32 count, u32 command)
{
    if (!wait_ready(false))
        return false;
    select(disk, lba >> 24);
    out8(ATA_COUNT, count);
    out8(ATA_LBA0, lba & 0xFF);
    out8(ATA_LBA1, (lba >> 8) & 0xFF);
    out8(ATA_LBA2, (lba >> 16) & 0xFF);
    out8(ATA_COMMAND, command);
    return wait_ready(true);
}

bool ata_read(u32 disk, u32 lba, u32 count, void *buf)
{
    if (count == 0 || count > 255 || !start(disk, lba, count, 0x20))
        return false;
    u16 *p = buf;
    for (u32 i = 0; i < count; i++, p += 256) {
        if (i && !wait_ready(true))
            return false;
        io_in16_block(&io, ATA_DATA, p, 256);
    }
    return true;
}

bool ata_write(u32 disk, u32 lba, u32 count, const void *buf)
{
    if (count == 0 || count > 255 || !start(disk, lba, count, 0x30))
        return false;
    const u16 *p = buf;
    for (u32 i = 0; i < count; i++, p += 256) {
        if (i && !wait_ready(true))
            return false;
        io_out16_block(&io, ATA_DATA, p, 256);
    }
    return wait_ready(false);
}

bool ata_flush(u32 disk)
{
    if (!wait_ready(false))
        return false;
    select(disk, 0);
    out8(ATA_COMMAND, 0xE7); /* CACHE FLUSH */
    return wait_ready(false);
}
