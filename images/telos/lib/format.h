/* printf-style formatting into a sink, shared by the kernel console and user programs.
 * Supports %s %c %d %u %x %p %%, a width and the 0 flag, and the ll modifier for %x/%u. */
#ifndef TELOS_LIB_FORMAT_H
#define TELOS_LIB_FORMAT_H
#include <telos/types.h>

/* -nostdinc leaves out <stdarg.h>; the compiler's builtins are all it wraps. */
typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type)   __builtin_va_arg(ap, type)
#define va_end(ap)         __builtin_va_end(ap)

typedef void (*format_sink)(void *ctx, const char *s, usize n);

void format_v(format_sink sink, void *ctx, const char *fmt, va_list ap);
usize format_vto(char *buf, usize size, const char *fmt, va_list ap);
/* Formats into buf (always NUL-terminated); returns the length written. */
usize format_to(char *buf, usize size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
