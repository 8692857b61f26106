/* Fixed-width types for a freestanding 32-bit kernel (no libc headers). */
#ifndef TELOS_TYPES_H
#define TELOS_TYPES_H

typedef unsigned char      u8;
typedef unsigned short     u16;
typedef unsigned int       u32;
typedef unsigned long long u64;
typedef signed char        i8;
typedef signed short       i16;
typedef signed int         i32;
typedef signed long long   i64;
typedef u32                uptr;
typedef u32                usize;
typedef _Bool              bool;

#define true  1
#define false 0
#define NULL  ((void *)0)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
