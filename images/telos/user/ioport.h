/* I/O ports for user-space drivers: the driver binds its IOPort capability so that its
 * thread uses in/out (and rep ins/outs) directly, through the TSS I/O permission bitmap;
 * should the kernel refuse the binding, every access becomes an invocation on the cap. */
#ifndef TELOS_USER_IOPORT_H
#define TELOS_USER_IOPORT_H
#include <telos/types.h>

struct io_ports {
    u32 cap;      /* the IOPort capability */
    bool direct;  /* bound to this thread: in/out work without entering the kernel */
};

/* Binds `cap` in the thread's binding slot `binding` (< TELOS_IO_BINDINGS) when it can. */
void io_ports_open(struct io_ports *io, u32 cap, u32 binding);
u32 io_in8(const struct io_ports *io, u32 port);
void io_out8(const struct io_ports *io, u32 port, u32 value);
/* `count` 16-bit words from / to one port (a data register). */
void io_in16_block(const struct io_ports *io, u32 port, u16 *out, u32 count);
void io_out16_block(const struct io_ports *io, u32 port, const u16 *in, u32 count);

#endif
