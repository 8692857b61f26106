/* Memory and string routines for kernel and user programs alike. */
#include "lib/string.h"

void *memcpy(void *dst, const void *src, usize n)
{
    u8 *d = dst;
    const u8 *s = src;
    /* Whole words when both ends are aligned alike: most copies here are of words. */
    if ((((uptr)d | (uptr)s) & 3) == 0) {
        for (; n >= 4; n -= 4, d += 4, s += 4)
            *(u32 *)d = *(const u32 *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, usize n)
{
    u8 *d = dst;
    const u8 *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, usize n)
{
    u8 *d = dst;
    if (((uptr)d & 3) == 0) {
        u32 w = (u8)c * 0x01010101u;
        for (; n >= 4; n -= 4, d += 4)
            *(u32 *)d = w;
    }
    while (n--)
        *d++ = (u8)c;
    return dst;
}

int memcmp(const void *a, const void *b, usize n)
{
    const u8 *x = a, *y = b;
    for (usize i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

usize strlen(const char *s)
{
    usize n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, usize n)
{
    for (usize i = 0; i < n; i++) {
        if (a[i] != b[i])
            return (u8)a[i] - (u8)b[i];
        if (!a[i])
            return 0;
    }
    return 0;
}

const char *strstr(const char *hay, const char *needle)
{
    usize n = strlen(needle);
    for (; *hay; hay++)
        if (!strncmp(hay, needle, n))
            return hay;
    return n ? NULL : hay;
}
