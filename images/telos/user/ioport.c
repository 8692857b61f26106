/* Port access for user-space drivers (user/ioport.h): direct when bound, else through
 * the IOPort invocations of abi.h, the data register moved in blocks to keep them few. */
#include "user/ioport.h"
#include "user/telos.h"
#include "lib/string.h"

void io_ports_open(struct io_ports *io, u32 cap, u32 binding)
{
    io->cap = cap;
    io->direct = TELOS_INVOKE(cap, TELOS_IO_PORT_BIND, binding) == TELOS_OK;
}

u32 io_in8(const struct io_ports *io, u32 port)
{
    if (io->direct) {
        u8 v;
        __asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"((u16)port));
        return v;
    }
    u32 v = 0;
    const u32 a[2] = { port, 1 };
    telos_invoke(io->cap, TELOS_IO_PORT_IN, 2, a, &v);
    return v & 0xFF;
}

void io_out8(const struct io_ports *io, u32 port, u32 value)
{
    if (io->direct)
        __asm__ volatile("outb %b0, %w1" : : "a"((u8)value), "Nd"((u16)port));
    else
        TELOS_INVOKE(io->cap, TELOS_IO_PORT_OUT, port, 1, value);
}

#define IN16_BLOCK_MAX  (2 * TELOS_MAX_MRS)        /* 16-bit values per IN16_BLOCK reply */
#define OUT16_BLOCK_MAX (2 * (TELOS_MAX_MRS - 2))  /* per OUT16_BLOCK request (after port, count) */

void io_in16_block(const struct io_ports *io, u32 port, u16 *out, u32 count)
{
    if (io->direct) {
        __asm__ volatile("cld; rep insw" : "+D"(out), "+c"(count) : "d"((u16)port) : "memory");
        return;
    }
    while (count) {
        u32 n = count > IN16_BLOCK_MAX ? IN16_BLOCK_MAX : count;
        struct telos_msg m = { { port, n, 0 }, 0 };
        telos_call(io->cap, TELOS_MSG_INFO(TELOS_IO_PORT_IN16_BLOCK, 0, 2), &m);
        u32 words[TELOS_MAX_MRS];
        for (u32 i = 0; i < (n + 1) / 2; i++)
            words[i] = i < TELOS_FAST_MRS ? m.mr[i] : telos_ipc->msg[i];
        memcpy(out, words, n * 2);
        out += n;
        count -= n;
    }
}

void io_out16_block(const struct io_ports *io, u32 port, const u16 *in, u32 count)
{
    if (io->direct) {
        __asm__ volatile("cld; rep outsw" : "+S"(in), "+c"(count) : "d"((u16)port) : "memory");
        return;
    }
    while (count) {
        u32 n = count > OUT16_BLOCK_MAX ? OUT16_BLOCK_MAX : count;
        u32 words[TELOS_MAX_MRS - 2];
        memset(words, 0, sizeof words);
        memcpy(words, in, n * 2);
        struct telos_msg m = { { port, n, words[0] }, 0 };
        for (u32 i = 1; i < (n + 1) / 2; i++)
            telos_ipc->msg[2 + i] = words[i];
        telos_call(io->cap, TELOS_MSG_INFO(TELOS_IO_PORT_OUT16_BLOCK, 0, 2 + (n + 1) / 2), &m);
        in += n;
        count -= n;
    }
}
