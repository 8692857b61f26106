/* The few memory and string routines a freestanding kernel needs (no libc here). */
#ifndef TELOS_LIB_STRING_H
#define TELOS_LIB_STRING_H
#include <telos/types.h>

void *memcpy(void *dst, const void *src, usize n);
void *memmove(void *dst, const void *src, usize n);
void *memset(void *dst, int c, usize n);
int memcmp(const void *a, const void *b, usize n);
usize strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, usize n);
const char *strstr(const char *hay, const char *needle);

#endif
