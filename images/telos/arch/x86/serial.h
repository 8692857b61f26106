/* The kernel console: COM1, a 16550 UART at 0x3F8, polled. */
#ifndef TELOS_X86_SERIAL_H
#define TELOS_X86_SERIAL_H
#include <telos/types.h>

#define COM1_PORT 0x3F8
#define COM2_PORT 0x2F8

void serial_init(u16 port);
void serial_putc(u16 port, char c);
void serial_write(u16 port, const char *s, usize n);
bool serial_can_read(u16 port);
u8 serial_getc(u16 port);

#endif
