/* ATA PIO driver (primary channel, master drive) for user space: every port access is an
 * invocation on an I/O port capability. */
#ifndef TELOS_SERVERS_ATA_H
#define TELOS_SERVERS_ATA_H
#include <telos/types.h>

/* Returns the drive's size in sectors, or 0 when there is no drive. */
u32 ata_init(u32 io_cap, u32 control_cap);
/* `count` consecutive sectors (1..255) in one command. */
bool ata_read(u32 lba, u32 count, void *buf);
bool ata_write(u32 lba, u32 count, const void *buf);

#endif
