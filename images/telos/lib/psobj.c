/* Typed PS objects: see lib/psobj.h and the OBJECTS part of include/telos/psdisk.h.
 * Parsing checks every byte once, so the walkers after it can trust lengths. */
#include "lib/psobj.h"
#include "lib/string.h"

static u32 rd16(const u8 *p) { return (u32)p[0] | ((u32)p[1] << 8); }
static u32 rd32(const u8 *p) { return (u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24); }
static void wr16(u8 *p, u32 v) { p[0] = (u8)v; p[1] = (u8)(v >> 8); }
static void wr32(u8 *p, u32 v) { p[0] = (u8)v; p[1] = (u8)(v >> 8); p[2] = (u8)(v >> 16); p[3] = (u8)(v >> 24); }
static u32 pad4(u32 n) { return (n + 3) & ~3u; }

static bool selector_ok(const u8 *p, u32 n)
{
    if (n == 0 || n > PSDISK_MAX_NAME)
        return false;
    for (u32 i = 0; i < n; i++)
        if (p[i] <= 0x20 || p[i] > 0x7E)
            return false;
    return true;
}

static bool zero(const u8 *p, u32 n)
{
    for (u32 i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* One value at p (at most n bytes); its encoded size, or 0 when malformed. */
static u32 value_size(const u8 *p, u32 n, u32 depth)
{
    if (n < 1 || depth > PSDISK_MAX_DEPTH)
        return 0;
    switch (p[0]) {
    case PSDISK_VAL_NIL:
    case PSDISK_VAL_FALSE:
    case PSDISK_VAL_TRUE:
        return 1;
    case PSDISK_VAL_INT:
        return n >= 5 ? 5 : 0;
    case PSDISK_VAL_NUMBER:
        return n >= 9 ? 9 : 0;
    case PSDISK_VAL_STRING:
    case PSDISK_VAL_BYTES:
        return n >= 3 && 3 + rd16(p + 1) <= n ? 3 + rd16(p + 1) : 0;
    case PSDISK_VAL_REF:
        return n >= 5 && rd32(p + 1) ? 5 : 0;
    case PSDISK_VAL_LIST: {
        if (n < 3)
            return 0;
        u32 at = 3;
        for (u32 i = 0, count = rd16(p + 1); i < count; i++) {
            u32 s = value_size(p + at, n - at, depth + 1);
            if (!s)
                return 0;
            at += s;
        }
        return at;
    }
    default:
        return 0;
    }
}

static bool slot_value_ok(u32 kind, const u8 *v, u32 n)
{
    switch (kind) {
    case PSDISK_SLOT_DATA:
        return value_size(v, n, 0) == n;
    case PSDISK_SLOT_PARENT:
        return n == 4 && rd32(v) != 0;
    case PSDISK_SLOT_METHOD:
        return n >= 4;
    case PSDISK_SLOT_CAP:
        return n == PSDISK_CAP_SIZE && v[0] <= 11 && v[1] <= 15 && rd16(v + 2) == 0;
    default:
        return false;
    }
}

bool psobj_parse(const u8 *bytes, u32 length, struct psobj *o)
{
    memset(o, 0, sizeof *o);
    o->bytes = bytes;
    o->length = length;
    if (length < 4 || length > PSDISK_MAX_OBJECT_SIZE)
        return false;
    if (rd32(bytes) == PSDISK_BLOB_MAGIC) {
        o->blob = true;
        return true;
    }
    if (rd32(bytes) != PSDISK_OBJ_MAGIC || length < 9)
        return false;
    o->slot_count = rd16(bytes + 4);
    o->trait_count = rd16(bytes + 6);
    o->name_length = bytes[8];
    o->name = (const char *)bytes + 9;
    if (o->name_length > PSDISK_MAX_NAME || 9 + o->name_length > length)
        return false;
    for (u32 i = 0; i < o->name_length; i++)
        if (bytes[9 + i] < 0x20 || bytes[9 + i] > 0x7E)
            return false;
    u32 at = pad4(9 + o->name_length);
    if (at > length || !zero(bytes + 9 + o->name_length, at - 9 - o->name_length))
        return false;
    o->slots_at = at;
    for (u32 i = 0; i < o->slot_count; i++) {
        if (at + 4 > length)
            return false;
        u32 kind = bytes[at], n = bytes[at + 1], v = rd16(bytes + at + 2);
        u32 end = at + 4 + n + v;
        if (end > length || pad4(end) > length || !selector_ok(bytes + at + 4, n) ||
            !slot_value_ok(kind, bytes + at + 4 + n, v) || !zero(bytes + end, pad4(end) - end))
            return false;
        /* Selectors are unique within an object. */
        for (u32 j = o->slots_at; j < at;) {
            u32 jn = bytes[j + 1];
            if (jn == n && !memcmp(bytes + j + 4, bytes + at + 4, n))
                return false;
            j = pad4(j + 4 + jn + rd16(bytes + j + 2));
        }
        at = pad4(end);
    }
    o->traits_at = at;
    for (u32 i = 0; i < o->trait_count; i++) {
        if (at + 8 > length || rd32(bytes + at) == 0)
            return false;
        u32 excludes = bytes[at + 4], aliases = bytes[at + 5], names = rd16(bytes + at + 6);
        u32 end = at + 8 + names;
        if (end > length || pad4(end) > length || !zero(bytes + end, pad4(end) - end))
            return false;
        u32 p = at + 8;
        for (u32 k = 0; k < excludes + 2 * aliases; k++) {
            if (p >= end || p + 1 + bytes[p] > end || !selector_ok(bytes + p + 1, bytes[p]))
                return false;
            p += 1 + bytes[p];
        }
        if (p != end)
            return false;
        at = pad4(end);
    }
    return at == length;
}

bool psobj_next_slot(const struct psobj *o, u32 *cursor, struct psobj_slot *out)
{
    u32 at = *cursor ? *cursor : o->slots_at;
    if (o->blob || at >= o->traits_at)
        return false;
    const u8 *p = o->bytes + at;
    out->kind = p[0];
    out->name_length = p[1];
    out->name = (const char *)p + 4;
    out->value_length = rd16(p + 2);
    out->value = p + 4 + p[1];
    *cursor = pad4(at + 4 + out->name_length + out->value_length);
    return true;
}

bool psobj_next_trait(const struct psobj *o, u32 *cursor, struct psobj_trait_use *out)
{
    u32 at = *cursor ? *cursor : o->traits_at;
    if (o->blob || at >= o->length)
        return false;
    const u8 *p = o->bytes + at;
    out->trait = rd32(p);
    out->exclude_count = p[4];
    out->alias_count = p[5];
    out->names_length = rd16(p + 6);
    out->names = p + 8;
    *cursor = pad4(at + 8 + out->names_length);
    return true;
}

bool psobj_find_slot(const struct psobj *o, const char *name, u32 name_length, struct psobj_slot *out)
{
    u32 c = 0;
    while (psobj_next_slot(o, &c, out))
        if (out->name_length == name_length && !memcmp(out->name, name, name_length))
            return true;
    return false;
}

/* The n-th length-prefixed name of a trait use's name list. */
static bool nth_name(const struct psobj_trait_use *t, u32 n, const char **name, u32 *length)
{
    u32 p = 0;
    for (u32 i = 0; i < n; i++)
        p += 1 + t->names[p];
    if (p >= t->names_length)
        return false;
    *length = t->names[p];
    *name = (const char *)t->names + p + 1;
    return true;
}

bool psobj_trait_exclude(const struct psobj_trait_use *t, u32 n, const char **name, u32 *length)
{
    return n < t->exclude_count && nth_name(t, n, name, length);
}

bool psobj_trait_alias(const struct psobj_trait_use *t, u32 n, const char **alias, u32 *alias_length,
                       const char **original, u32 *original_length)
{
    return n < t->alias_count && nth_name(t, t->exclude_count + 2 * n, alias, alias_length) &&
           nth_name(t, t->exclude_count + 2 * n + 1, original, original_length);
}

u32 psobj_parent_oid(const struct psobj_slot *s) { return s->kind == PSDISK_SLOT_PARENT ? rd32(s->value) : 0; }
u32 psobj_method_label(const struct psobj_slot *s) { return s->kind == PSDISK_SLOT_METHOD ? rd32(s->value) : 0; }

void psobj_cap_of(const struct psobj_slot *s, struct psdisk_cap *out)
{
    memset(out, 0, sizeof *out);
    if (s->kind != PSDISK_SLOT_CAP)
        return;
    out->kind = s->value[0];
    out->rights = s->value[1];
    out->badge = rd32(s->value + 4);
    out->holder = rd32(s->value + 8);
    out->slot = rd32(s->value + 12);
}

bool psobj_value_int(const struct psobj_slot *s, i32 *out)
{
    if (s->kind != PSDISK_SLOT_DATA || s->value[0] != PSDISK_VAL_INT)
        return false;
    *out = (i32)rd32(s->value + 1);
    return true;
}

bool psobj_value_ref(const struct psobj_slot *s, u32 *out)
{
    if (s->kind != PSDISK_SLOT_DATA || s->value[0] != PSDISK_VAL_REF)
        return false;
    *out = rd32(s->value + 1);
    return true;
}

bool psobj_value_string(const struct psobj_slot *s, const char **out, u32 *length)
{
    if (s->kind != PSDISK_SLOT_DATA || s->value[0] != PSDISK_VAL_STRING)
        return false;
    *length = rd16(s->value + 1);
    *out = (const char *)s->value + 3;
    return true;
}

/* Refs inside one (checked) value. */
static u32 value_refs(const u8 *p, void (*visit)(void *, u32), void *ctx)
{
    switch (p[0]) {
    case PSDISK_VAL_REF:
        visit(ctx, rd32(p + 1));
        return 5;
    case PSDISK_VAL_LIST: {
        u32 at = 3;
        for (u32 i = 0, count = rd16(p + 1); i < count; i++)
            at += value_refs(p + at, visit, ctx);
        return at;
    }
    default:
        return value_size(p, 0xFFFF, 0);
    }
}

void psobj_references(const u8 *bytes, u32 length, void (*visit)(void *ctx, u32 oid), void *ctx)
{
    struct psobj o;
    if (!psobj_parse(bytes, length, &o) || o.blob)
        return;
    struct psobj_slot s;
    for (u32 c = 0; psobj_next_slot(&o, &c, &s);) {
        if (s.kind == PSDISK_SLOT_PARENT)
            visit(ctx, psobj_parent_oid(&s));
        else if (s.kind == PSDISK_SLOT_DATA)
            value_refs(s.value, visit, ctx);
    }
    struct psobj_trait_use t;
    for (u32 c = 0; psobj_next_trait(&o, &c, &t);)
        visit(ctx, t.trait);
}

/* --- building ----------------------------------------------------------------------- */

static u8 *reserve(struct psobj_builder *b, u32 n)
{
    if (b->failed || b->length + n > b->capacity) {
        b->failed = true;
        return NULL;
    }
    u8 *p = b->buf + b->length;
    memset(p, 0, n);
    b->length += n;
    return p;
}

static void align(struct psobj_builder *b)
{
    reserve(b, pad4(b->length) - b->length);
}

void psobj_begin(struct psobj_builder *b, u8 *buf, u32 capacity, const char *name)
{
    memset(b, 0, sizeof *b);
    b->buf = buf;
    b->capacity = capacity > PSDISK_MAX_OBJECT_SIZE ? PSDISK_MAX_OBJECT_SIZE : capacity;
    u32 n = strlen(name);
    u8 *h = reserve(b, 9 + n);
    if (!h || n > PSDISK_MAX_NAME) {
        b->failed = true;
        return;
    }
    wr32(h, PSDISK_OBJ_MAGIC);
    h[8] = (u8)n;
    memcpy(h + 9, name, n);
    align(b);
}

/* Opens a slot; the caller appends exactly its value, then slot_end. */
static bool slot_begin(struct psobj_builder *b, u32 kind, const char *name)
{
    u32 n = strlen(name);
    if (b->trait_count || n == 0 || n > PSDISK_MAX_NAME)
        b->failed = true;
    u8 *h = reserve(b, 4 + n);
    if (!h)
        return false;
    h[0] = (u8)kind;
    h[1] = (u8)n;
    memcpy(h + 4, name, n);
    b->slot_at = (u32)(h - b->buf);
    return true;
}

/* Closes the open slot: its value is everything appended since its name. */
static void slot_end(struct psobj_builder *b)
{
    if (b->failed)
        return;
    u8 *h = b->buf + b->slot_at;
    wr16(h + 2, b->length - (b->slot_at + 4 + h[1]));
    align(b);
    b->slot_count++;
}

static void simple_data(struct psobj_builder *b, const char *name, u32 type, u32 word, u32 n)
{
    if (!slot_begin(b, PSDISK_SLOT_DATA, name))
        return;
    u8 *v = reserve(b, 1 + n);
    if (v) {
        v[0] = (u8)type;
        if (n)
            wr32(v + 1, word);
    }
    slot_end(b);
}

void psobj_data_nil(struct psobj_builder *b, const char *name) { simple_data(b, name, PSDISK_VAL_NIL, 0, 0); }
void psobj_data_bool(struct psobj_builder *b, const char *name, bool v)
{
    simple_data(b, name, v ? PSDISK_VAL_TRUE : PSDISK_VAL_FALSE, 0, 0);
}
void psobj_data_int(struct psobj_builder *b, const char *name, i32 v) { simple_data(b, name, PSDISK_VAL_INT, (u32)v, 4); }
void psobj_data_ref(struct psobj_builder *b, const char *name, u32 oid)
{
    if (!oid)
        b->failed = true;
    simple_data(b, name, PSDISK_VAL_REF, oid, 4);
}

void psobj_data_string(struct psobj_builder *b, const char *name, const char *s)
{
    if (!slot_begin(b, PSDISK_SLOT_DATA, name))
        return;
    u32 n = strlen(s);
    u8 *v = reserve(b, 3 + n);
    if (v) {
        v[0] = PSDISK_VAL_STRING;
        wr16(v + 1, n);
        memcpy(v + 3, s, n);
    }
    slot_end(b);
}

void psobj_data_refs(struct psobj_builder *b, const char *name, const u32 *oids, u32 count)
{
    if (!slot_begin(b, PSDISK_SLOT_DATA, name))
        return;
    u8 *v = reserve(b, 3 + 5 * count);
    if (v) {
        v[0] = PSDISK_VAL_LIST;
        wr16(v + 1, count);
        for (u32 i = 0; i < count; i++) {
            v[3 + 5 * i] = PSDISK_VAL_REF;
            wr32(v + 4 + 5 * i, oids[i]);
            if (!oids[i])
                b->failed = true;
        }
    }
    slot_end(b);
}

void psobj_parent(struct psobj_builder *b, const char *name, u32 oid)
{
    if (!oid)
        b->failed = true;
    if (!slot_begin(b, PSDISK_SLOT_PARENT, name))
        return;
    u8 *v = reserve(b, 4);
    if (v)
        wr32(v, oid);
    slot_end(b);
}

void psobj_method(struct psobj_builder *b, const char *name, u32 label, const char *source)
{
    if (!slot_begin(b, PSDISK_SLOT_METHOD, name))
        return;
    u32 n = source ? strlen(source) : 0;
    u8 *v = reserve(b, 4 + n);
    if (v) {
        wr32(v, label);
        memcpy(v + 4, source, n);
    }
    slot_end(b);
}

void psobj_cap(struct psobj_builder *b, const char *name, const struct psdisk_cap *cap)
{
    if (!slot_begin(b, PSDISK_SLOT_CAP, name))
        return;
    u8 *v = reserve(b, PSDISK_CAP_SIZE);
    if (v) {
        v[0] = (u8)cap->kind;
        v[1] = (u8)cap->rights;
        wr32(v + 4, cap->badge);
        wr32(v + 8, cap->holder);
        wr32(v + 12, cap->slot);
    }
    slot_end(b);
}

static void put_name(struct psobj_builder *b, const char *s)
{
    u32 n = strlen(s);
    if (n == 0 || n > PSDISK_MAX_NAME)
        b->failed = true;
    u8 *p = reserve(b, 1 + n);
    if (p) {
        p[0] = (u8)n;
        memcpy(p + 1, s, n);
    }
}

void psobj_trait(struct psobj_builder *b, u32 trait, const char *const *excludes, const char *const *aliases)
{
    u32 ne = 0, na = 0;
    while (excludes && excludes[ne])
        ne++;
    while (aliases && aliases[2 * na] && aliases[2 * na + 1])
        na++;
    u8 *h = reserve(b, 8);
    if (!h || !trait || ne > 255 || na > 255) {
        b->failed = true;
        return;
    }
    u32 start = b->length;
    wr32(h, trait);
    h[4] = (u8)ne;
    h[5] = (u8)na;
    for (u32 i = 0; i < ne; i++)
        put_name(b, excludes[i]);
    for (u32 i = 0; i < 2 * na; i++)
        put_name(b, aliases[i]);
    if (b->failed)
        return;
    wr16(b->buf + start - 2, b->length - start);
    align(b);
    b->trait_count++;
}

u32 psobj_end(struct psobj_builder *b)
{
    if (b->failed || b->slot_count > 0xFFFF || b->trait_count > 0xFFFF)
        return 0;
    wr16(b->buf + 4, b->slot_count);
    wr16(b->buf + 6, b->trait_count);
    return b->length;
}

u32 psobj_blob(u8 *buf, u32 capacity, const void *data, u32 n)
{
    if (4 + n > capacity || 4 + n > PSDISK_MAX_OBJECT_SIZE)
        return 0;
    wr32(buf, PSDISK_BLOB_MAGIC);
    memcpy(buf + 4, data, n);
    return 4 + n;
}

/* --- lookup ------------------------------------------------------------------------- */

#define LOOKUP_MAX_OBJECTS 64

struct lookup {
    const struct psobj_store *store;
    const char *sel;
    u32 sel_length;
    u32 visited[LOOKUP_MAX_OBJECTS], visited_count; /* objects searched (find) */
    u32 visiting[LOOKUP_MAX_OBJECTS], visiting_count; /* trait tables being built */
};

/* What a trait use contributes for one selector. */
struct entry {
    u32 kind; /* 0 none, 1 method, 2 conflict */
    u32 holder, trait, other;
    char slot[PSDISK_MAX_NAME + 1];
};

static bool load(struct lookup *l, u32 oid, struct psobj *o)
{
    u32 length;
    const u8 *bytes = l->store->get(l->store->ctx, oid, &length);
    return bytes && psobj_parse(bytes, length, o) && !o->blob;
}

static bool same_name(const char *a, u32 an, const char *b, u32 bn) { return an == bn && !memcmp(a, b, an); }

static void set_slot(char *out, const char *name, u32 n)
{
    memcpy(out, name, n);
    out[n] = 0;
}

static u32 trait_table(struct lookup *l, u32 oid, const char *sel, u32 sel_length, struct entry *out);

/* A trait's own method for `sel`, or else (when it has no slot of that name) what its
 * own trait uses contribute. */
static u32 provided(struct lookup *l, u32 trait, const char *sel, u32 sel_length, struct entry *out)
{
    struct psobj t;
    if (!load(l, trait, &t))
        return PSOBJ_BROKEN;
    struct psobj_slot s;
    memset(out, 0, sizeof *out);
    if (psobj_find_slot(&t, sel, sel_length, &s)) {
        if (s.kind == PSDISK_SLOT_METHOD) {
            out->kind = 1;
            out->holder = trait;
            out->trait = trait;
            set_slot(out->slot, s.name, s.name_length);
        }
        return PSOBJ_FOUND;
    }
    return trait_table(l, trait, sel, sel_length, out);
}

/* Folds one use's contribution into the table entry, as the World's trait table does. */
static void merge(struct entry *table, const struct entry *e, u32 use_trait)
{
    struct entry entry = *e;
    if (entry.kind == 1)
        entry.trait = use_trait;
    if (table->kind == 0) {
        *table = entry;
        return;
    }
    if (table->kind == 1 && entry.kind == 1 && table->holder == entry.holder && !strcmp(table->slot, entry.slot))
        return;
    u32 first = table->trait, second = table->kind == 2 ? table->other : 0;
    u32 add[2] = { entry.trait, entry.kind == 2 ? entry.other : 0 };
    for (u32 i = 0; i < 2; i++)
        if (add[i] && add[i] != first && !second)
            second = add[i];
    if (!second)
        second = use_trait;
    table->kind = 2;
    table->trait = first;
    table->other = second;
}

static u32 trait_table(struct lookup *l, u32 oid, const char *sel, u32 sel_length, struct entry *out)
{
    memset(out, 0, sizeof *out);
    for (u32 i = 0; i < l->visiting_count; i++)
        if (l->visiting[i] == oid)
            return PSOBJ_FOUND; /* a cycle of traits: the inner visit contributes nothing */
    if (l->visiting_count == LOOKUP_MAX_OBJECTS)
        return PSOBJ_BROKEN;
    struct psobj o;
    if (!load(l, oid, &o))
        return PSOBJ_BROKEN;
    l->visiting[l->visiting_count++] = oid;
    struct psobj_trait_use t;
    u32 status = PSOBJ_FOUND;
    for (u32 c = 0; status == PSOBJ_FOUND && psobj_next_trait(&o, &c, &t);) {
        struct entry e, a;
        memset(&e, 0, sizeof e);
        bool excluded = false;
        const char *name, *original;
        u32 n, on;
        for (u32 k = 0; psobj_trait_exclude(&t, k, &name, &n); k++)
            if (same_name(name, n, sel, sel_length))
                excluded = true;
        if (!excluded)
            status = provided(l, t.trait, sel, sel_length, &e);
        for (u32 k = 0; status == PSOBJ_FOUND && psobj_trait_alias(&t, k, &name, &n, &original, &on); k++)
            if (same_name(name, n, sel, sel_length)) {
                status = provided(l, t.trait, original, on, &a);
                if (a.kind)
                    e = a;
            }
        if (status == PSOBJ_FOUND && e.kind)
            merge(out, &e, t.trait);
    }
    l->visiting_count--;
    return status;
}

static u32 find(struct lookup *l, u32 at, struct psobj_found *out, bool *found);

static u32 find_in_parents(struct lookup *l, const struct psobj *o, struct psobj_found *out, bool *found)
{
    struct psobj_slot s;
    *found = false;
    for (u32 c = 0; psobj_next_slot(o, &c, &s);) {
        if (s.kind != PSDISK_SLOT_PARENT)
            continue;
        struct psobj_found r;
        bool here;
        u32 status = find(l, psobj_parent_oid(&s), &r, &here);
        if (status != PSOBJ_FOUND) {
            *out = r; /* what the error names (the conflicting traits) */
            return status;
        }
        if (!here)
            continue;
        if (!*found) {
            *out = r;
            *found = true;
        } else if (out->holder != r.holder || strcmp(out->slot, r.slot)) {
            out->other = r.holder;
            return PSOBJ_AMBIGUOUS;
        }
    }
    return PSOBJ_FOUND;
}

/* Searches `at` (own slots, traits, parents); *found says whether anything answered. */
static u32 find(struct lookup *l, u32 at, struct psobj_found *out, bool *found)
{
    *found = false;
    for (u32 i = 0; i < l->visited_count; i++)
        if (l->visited[i] == at)
            return PSOBJ_FOUND;
    if (l->visited_count == LOOKUP_MAX_OBJECTS)
        return PSOBJ_BROKEN;
    l->visited[l->visited_count++] = at;
    struct psobj o;
    if (!load(l, at, &o))
        return PSOBJ_BROKEN;
    struct psobj_slot s;
    memset(out, 0, sizeof *out);
    if (psobj_find_slot(&o, l->sel, l->sel_length, &s)) {
        out->holder = out->at = at;
        out->kind = s.kind;
        set_slot(out->slot, s.name, s.name_length);
        *found = true;
        return PSOBJ_FOUND;
    }
    struct entry e;
    u32 status = trait_table(l, at, l->sel, l->sel_length, &e);
    if (status != PSOBJ_FOUND)
        return status;
    if (e.kind == 2) {
        out->at = at;
        out->trait = e.trait;
        out->other = e.other;
        return PSOBJ_TRAIT_CONFLICT;
    }
    if (e.kind == 1) {
        out->holder = e.holder;
        out->at = at;
        out->kind = PSDISK_SLOT_METHOD;
        out->trait = e.trait;
        memcpy(out->slot, e.slot, sizeof out->slot);
        *found = true;
        return PSOBJ_FOUND;
    }
    return find_in_parents(l, &o, out, found);
}

u32 psobj_lookup(const struct psobj_store *store, u32 receiver, const char *selector, u32 selector_length,
                 struct psobj_found *out)
{
    static struct lookup l; /* large; lookups never nest */
    memset(&l, 0, sizeof l);
    l.store = store;
    l.sel = selector;
    l.sel_length = selector_length;
    memset(out, 0, sizeof *out);
    bool found;
    u32 status = find(&l, receiver, out, &found);
    if (status == PSOBJ_FOUND && !found)
        return PSOBJ_NOT_UNDERSTOOD;
    return status;
}
