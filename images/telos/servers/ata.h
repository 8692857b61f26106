/* ATA PIO driver (primary channel, master drive) for user space: every port access is an
 * invocation on an I/O port capability. */
#ifndef TELOS_SERVERS_ATA_H
#define TELOS_SERVERS_ATA_H
#include <telos/types.h>

/* Returns the drive's size in sectors, or 0 when there is no drive. */
u32 ata_init(u32 io_cap);
bool ata_read(u32 lba, void *buf512);
bool ata_write(u32 lba, const void *buf512);

#endif
