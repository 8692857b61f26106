/* A PS object as a person reads it: the monitor's `get` and living_image's objects/<oid>
 * show the same text, made here. */
#ifndef TELOS_LIB_PSSHOW_H
#define TELOS_LIB_PSSHOW_H
#include <telos/types.h>

/* The name of object `oid` into out (size bytes with the NUL), "" when it has none. */
typedef const char *(*psshow_name_fn)(u32 oid, char *out, u32 size);

/* The text of object `oid` (its `length` stored bytes) into out, cut to size - 1
 * characters and NUL-terminated: name, slots, parents, methods, capability slots and
 * trait uses, one a line. Answers the number of characters written. */
u32 psshow_object(u32 oid, const u8 *bytes, u32 length, psshow_name_fn name_of, char *out, u32 size);

#endif
