/* Kernel console on COM1: formatted log lines and the panic path. */
#ifndef TELOS_KERNEL_CONSOLE_H
#define TELOS_KERNEL_CONSOLE_H
#include <telos/types.h>

void console_init(void);
void kputs(const char *s);
void kwrite(const char *s, usize n);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
