/* ATA PIO driver (primary channel: disk 0 the master, disk 1 the slave) for user space,
 * over the I/O port capabilities of the command block and the control register. Only
 * the block server (servers/block.c) links it. */
#ifndef TELOS_SERVERS_ATA_H
#define TELOS_SERVERS_ATA_H
#include <telos/types.h>

#define ATA_DISKS 2

/* Binds the ports and identifies both drives; sizes[d] gets disk d's sectors (0 = none). */
void ata_init(u32 io_cap, u32 control_cap, u32 sizes[ATA_DISKS]);
/* `count` consecutive sectors (1..255) in one command. */
bool ata_read(u32 disk, u32 lba, u32 count, void *buf);
/* Writes are not flushed: a write cache may hold them, and reorder them, until ata_flush. */
bool ata_write(u32 disk, u32 lba, u32 count, const void *buf);
/* CACHE FLUSH: returns when everything written before is on the medium. */
bool ata_flush(u32 disk);

#endif
