/* Kernel console: formatted output to COM1, and panic, which prints and halts the CPU. */
#include "kernel/console.h"
#include "arch/x86/io.h"
#include "arch/x86/serial.h"
#include "lib/format.h"
#include "lib/string.h"

static void console_sink(void *ctx, const char *s, usize n)
{
    (void)ctx;
    serial_write(COM1_PORT, s, n);
}

void console_init(void) { serial_init(COM1_PORT); }
void kwrite(const char *s, usize n) { serial_write(COM1_PORT, s, n); }
void kputs(const char *s) { kwrite(s, strlen(s)); }

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_v(console_sink, NULL, fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    kputs("TelOS: kernel panic: ");
    va_start(ap, fmt);
    format_v(console_sink, NULL, fmt, ap);
    va_end(ap);
    kputs("\n");
    cpu_halt_forever();
}
