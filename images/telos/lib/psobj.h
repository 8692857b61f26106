/* The PS's typed objects (the encoding in include/telos/psdisk.h, "OBJECTS"): checking,
 * reading and building them, their references, and selector lookup through own slots,
 * traits and parents with the World's rule. Used by the PS and by its clients. */
#ifndef TELOS_LIB_PSOBJ_H
#define TELOS_LIB_PSOBJ_H
#include <telos/psdisk.h>
#include <telos/types.h>

/* --- reading ------------------------------------------------------------------------ */

struct psobj {
    const u8 *bytes;
    u32 length;
    bool blob;          /* a blob: `bytes + 4`, `length - 4` bytes of raw data */
    u32 slot_count, trait_count;
    const char *name;   /* not NUL-terminated */
    u32 name_length;
    u32 slots_at, traits_at; /* offsets of the first slot and the first trait use */
};

struct psobj_slot {
    u32 kind;           /* PSDISK_SLOT_* */
    const char *name;
    u32 name_length;
    const u8 *value;
    u32 value_length;
};

struct psobj_trait_use {
    u32 trait;
    u32 exclude_count, alias_count;
    const u8 *names;    /* the encoded names: excludes, then alias pairs */
    u32 names_length;
};

struct psdisk_cap {
    u32 kind, rights, badge, holder, slot;
};

/* Checks every byte of an object (typed or blob) against the format; fills `o`. */
bool psobj_parse(const u8 *bytes, u32 length, struct psobj *o);
/* The i-th slot / trait use of a parsed typed object, by walking from the first. Loops
 * over all of them use the cursor forms: *cursor starts at 0. */
bool psobj_next_slot(const struct psobj *o, u32 *cursor, struct psobj_slot *out);
bool psobj_next_trait(const struct psobj *o, u32 *cursor, struct psobj_trait_use *out);
bool psobj_find_slot(const struct psobj *o, const char *name, u32 name_length, struct psobj_slot *out);
/* A trait use's n-th excluded selector / alias pair. */
bool psobj_trait_exclude(const struct psobj_trait_use *t, u32 n, const char **name, u32 *length);
bool psobj_trait_alias(const struct psobj_trait_use *t, u32 n, const char **alias, u32 *alias_length,
                       const char **original, u32 *original_length);

u32 psobj_parent_oid(const struct psobj_slot *s);
u32 psobj_method_label(const struct psobj_slot *s);
void psobj_cap_of(const struct psobj_slot *s, struct psdisk_cap *out);
/* A data slot's value as one of these, when it is one (false otherwise). */
bool psobj_value_int(const struct psobj_slot *s, i32 *out);
bool psobj_value_ref(const struct psobj_slot *s, u32 *out);
bool psobj_value_string(const struct psobj_slot *s, const char **out, u32 *length);

/* Calls `visit` for every oid the object refers to (parents, refs, trait uses). */
void psobj_references(const u8 *bytes, u32 length, void (*visit)(void *ctx, u32 oid), void *ctx);

/* --- building ----------------------------------------------------------------------- */

struct psobj_builder {
    u8 *buf;
    u32 capacity, length;
    u32 slot_count, trait_count;
    bool failed;        /* too long, or slots after trait uses */
    u32 slot_at;        /* offset of the slot being written */
};

void psobj_begin(struct psobj_builder *b, u8 *buf, u32 capacity, const char *name);
void psobj_data_nil(struct psobj_builder *b, const char *name);
void psobj_data_bool(struct psobj_builder *b, const char *name, bool v);
void psobj_data_int(struct psobj_builder *b, const char *name, i32 v);
void psobj_data_string(struct psobj_builder *b, const char *name, const char *v);
void psobj_data_ref(struct psobj_builder *b, const char *name, u32 oid);
void psobj_data_refs(struct psobj_builder *b, const char *name, const u32 *oids, u32 count);
void psobj_parent(struct psobj_builder *b, const char *name, u32 oid);
void psobj_method(struct psobj_builder *b, const char *name, u32 label, const char *source);
void psobj_cap(struct psobj_builder *b, const char *name, const struct psdisk_cap *cap);
/* A trait use; `excludes` and `aliases` are NULL-terminated lists (aliases in pairs:
 * alias, original, alias, original, ..., NULL). Trait uses come after every slot. */
void psobj_trait(struct psobj_builder *b, u32 trait, const char *const *excludes, const char *const *aliases);
/* The object's length, or 0 when it did not fit or was built out of order. */
u32 psobj_end(struct psobj_builder *b);
/* A blob holding `n` raw bytes; its length, or 0 when it does not fit. */
u32 psobj_blob(u8 *buf, u32 capacity, const void *data, u32 n);

/* --- lookup ------------------------------------------------------------------------- */

/* Where lookup finds objects: `get` answers an object's bytes or NULL. */
struct psobj_store {
    const u8 *(*get)(void *ctx, u32 oid, u32 *length);
    void *ctx;
};

#define PSOBJ_FOUND            0
#define PSOBJ_NOT_UNDERSTOOD   1
#define PSOBJ_TRAIT_CONFLICT   2
#define PSOBJ_AMBIGUOUS        3
#define PSOBJ_BROKEN           4  /* a missing or malformed object on the way, or too deep */

struct psobj_found {
    u32 holder;          /* object holding the slot */
    u32 kind;            /* its PSDISK_SLOT_* */
    char slot[PSDISK_MAX_NAME + 1]; /* the slot's name there (differs from the selector for an alias) */
    u32 trait;           /* the trait use it came through, or 0 */
    u32 at;              /* the object whose own slots or traits answered */
    u32 other;           /* TRAIT_CONFLICT: a second trait; AMBIGUOUS: a second holder */
};

u32 psobj_lookup(const struct psobj_store *store, u32 receiver, const char *selector, u32 selector_length,
                 struct psobj_found *out);

#endif
