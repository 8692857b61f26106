/* 16550 UART driver for the kernel console. Output is polled (the transmit-empty bit),
 * which is what both v86 and QEMU serve best and what a panic path can still use. */
#include "arch/x86/serial.h"
#include "arch/x86/io.h"

enum { UART_DATA = 0, UART_IER = 1, UART_FCR = 2, UART_LCR = 3, UART_MCR = 4, UART_LSR = 5 };

void serial_init(u16 port)
{
    outb(port + UART_IER, 0x00);
    outb(port + UART_LCR, 0x80);      /* DLAB on: set divisor */
    outb(port + UART_DATA, 0x01);     /* 115200 baud */
    outb(port + UART_IER, 0x00);
    outb(port + UART_LCR, 0x03);      /* 8N1, DLAB off */
    outb(port + UART_FCR, 0xC7);      /* FIFOs on and cleared */
    outb(port + UART_MCR, 0x0B);      /* DTR, RTS, OUT2 */
    outb(port + UART_IER, 0x01);      /* interrupt on received data (the line stays masked
                                       * at the PIC until a driver claims its IRQ) */
}

/* Waits for the transmitter by time, not by a poll count: QEMU holds THRE clear while its
 * host side (a pipe a busy test runner drains late) cannot take the byte, and a count ran
 * out and overwrote a byte. The limit (2e9 TSC cycles, 2 s at 1 GHz) keeps a dead UART
 * from hanging a panic. */
void serial_putc(u16 port, char c)
{
    if (!(inb(port + UART_LSR) & 0x20)) {
        u64 start = rdtsc();
        while (!(inb(port + UART_LSR) & 0x20) && rdtsc() - start < 2000000000ull)
            ;
    }
    outb(port + UART_DATA, (u8)c);
}

void serial_write(u16 port, const char *s, usize n)
{
    for (usize i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc(port, '\r');
        serial_putc(port, s[i]);
    }
}

bool serial_can_read(u16 port) { return inb(port + UART_LSR) & 0x01; }
u8 serial_getc(u16 port) { return inb(port + UART_DATA); }
