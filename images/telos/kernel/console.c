/* Kernel console: formatted output to COM1, and panic, which prints and halts the CPU. */
#include "kernel/console.h"
#include <telos/abi.h>
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
/* As is: what user programs write (they style their own log lines). */
void kwrite(const char *s, usize n) { serial_write(COM1_PORT, s, n); }

/* The kernel's own lines are log lines. */
static void log_style(bool on)
{
    const char *code = on ? TELOS_LOG_STYLE : TELOS_LOG_PLAIN;
    kwrite(code, strlen(code));
}

void kputs(const char *s)
{
    log_style(true);
    kwrite(s, strlen(s));
    log_style(false);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    log_style(true);
    va_start(ap, fmt);
    format_v(console_sink, NULL, fmt, ap);
    va_end(ap);
    log_style(false);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    log_style(true);
    kwrite("TelOS: kernel panic: ", 21);
    va_start(ap, fmt);
    format_v(console_sink, NULL, fmt, ap);
    va_end(ap);
    kwrite("\n", 1);
    log_style(false);
    cpu_halt_forever();
}
