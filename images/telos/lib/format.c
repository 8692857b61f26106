/* A small printf engine. 64-bit values are printed by repeated 32-bit division so no
 * libgcc helpers (__udivdi3) are needed. */
#include "lib/format.h"
#include "lib/string.h"

static usize u64_to_digits(u64 v, unsigned base, char *out)
{
    char tmp[24];
    usize n = 0;
    const char *digits = "0123456789abcdef";
    do {
        /* Divide the 64-bit value by base using two 32-bit steps. */
        u32 hi = (u32)(v >> 32), lo = (u32)v;
        u32 qhi = hi / base, r = hi % base;
        u64 rest = ((u64)r << 32) | lo;
        /* rest < base * 2^32, so split the low word again. */
        u32 rest_hi = (u32)(rest >> 16);
        u32 q1 = rest_hi / base;
        u32 r1 = rest_hi % base;
        u32 rest_lo = (r1 << 16) | (lo & 0xFFFF);
        u32 q0 = rest_lo / base;
        u32 rem = rest_lo % base;
        v = ((u64)qhi << 32) | ((u64)q1 << 16) | q0;
        tmp[n++] = digits[rem];
    } while (v);
    for (usize i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

void format_v(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
    while (*fmt) {
        const char *start = fmt;
        while (*fmt && *fmt != '%')
            fmt++;
        if (fmt > start)
            sink(ctx, start, (usize)(fmt - start));
        if (!*fmt)
            break;
        fmt++;
        char pad = ' ';
        usize width = 0;
        bool is_long_long = false;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (usize)(*fmt++ - '0');
        if (fmt[0] == 'l' && fmt[1] == 'l') {
            is_long_long = true;
            fmt += 2;
        } else if (fmt[0] == 'l') {
            fmt++;
        }
        char buf[24];
        const char *s = buf;
        usize n = 0;
        switch (*fmt) {
        case 's':
            s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            n = strlen(s);
            break;
        case 'c':
            buf[0] = (char)va_arg(ap, int);
            n = 1;
            break;
        case 'd': {
            i64 v = is_long_long ? va_arg(ap, i64) : va_arg(ap, i32);
            if (v < 0) {
                buf[0] = '-';
                n = 1 + u64_to_digits((u64)-v, 10, buf + 1);
            } else {
                n = u64_to_digits((u64)v, 10, buf);
            }
            break;
        }
        case 'u':
            n = u64_to_digits(is_long_long ? va_arg(ap, u64) : va_arg(ap, u32), 10, buf);
            break;
        case 'x':
            n = u64_to_digits(is_long_long ? va_arg(ap, u64) : va_arg(ap, u32), 16, buf);
            break;
        case 'p':
            buf[0] = '0';
            buf[1] = 'x';
            n = 2 + u64_to_digits((uptr)va_arg(ap, void *), 16, buf + 2);
            break;
        case '%':
            buf[0] = '%';
            n = 1;
            break;
        default:
            buf[0] = '%';
            buf[1] = *fmt;
            n = 2;
            break;
        }
        for (; width > n; width--)
            sink(ctx, &pad, 1);
        sink(ctx, s, n);
        if (*fmt)
            fmt++;
    }
}

struct buffer_sink {
    char *buf;
    usize size, len;
};

static void buffer_write(void *ctx, const char *s, usize n)
{
    struct buffer_sink *b = ctx;
    for (usize i = 0; i < n && b->len + 1 < b->size; i++)
        b->buf[b->len++] = s[i];
}

usize format_vto(char *buf, usize size, const char *fmt, va_list ap)
{
    struct buffer_sink b = { buf, size, 0 };
    format_v(buffer_write, &b, fmt, ap);
    if (size)
        buf[b.len] = 0;
    return b.len;
}

usize format_to(char *buf, usize size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    usize n = format_vto(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
