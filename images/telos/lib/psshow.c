/* A PS object as text: see lib/psshow.h. */
#include <telos/psdisk.h>
#include "lib/psshow.h"
#include "lib/psobj.h"
#include "lib/format.h"
#include "lib/string.h"

struct text {
    char *out;
    u32 size, len;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (t->len + 1 < t->size)
        t->len += format_vto(t->out + t->len, t->size - t->len, fmt, ap);
    va_end(ap);
    if (t->len >= t->size)
        t->len = t->size - 1;
}

static void copy_name(char *out, const char *name, u32 length)
{
    memcpy(out, name, length);
    out[length] = 0;
}

static u32 rd32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }

static const char *cap_kind(u32 kind)
{
    static const char *const names[] = { "none", "Untyped", "TCB", "Endpoint", "Notification", "CNode", "Frame",
                                         "PageTable", "PageDirectory", "IOPort", "IRQControl", "IRQHandler" };
    return kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}

static void put_value(struct text *t, const char *sel, const u8 *v, psshow_name_fn name_of)
{
    char s[PSDISK_MAX_NAME + 1];
    u32 n = v[1] | ((u32)v[2] << 8);
    switch (v[0]) {
    case PSDISK_VAL_NIL: put(t, "  %s = nil\n", sel); break;
    case PSDISK_VAL_FALSE: put(t, "  %s = false\n", sel); break;
    case PSDISK_VAL_TRUE: put(t, "  %s = true\n", sel); break;
    case PSDISK_VAL_INT: put(t, "  %s = %d\n", sel, (i32)rd32(v + 1)); break;
    case PSDISK_VAL_NUMBER: put(t, "  %s = (a number)\n", sel); break;
    case PSDISK_VAL_STRING:
        copy_name(s, (const char *)v + 3, n < PSDISK_MAX_NAME ? n : PSDISK_MAX_NAME);
        put(t, "  %s = '%s'%s\n", sel, s, n > PSDISK_MAX_NAME ? "..." : "");
        break;
    case PSDISK_VAL_BYTES: put(t, "  %s = (%u byte%s)\n", sel, n, n == 1 ? "" : "s"); break;
    case PSDISK_VAL_REF: put(t, "  %s = -> %s (%u)\n", sel, name_of(rd32(v + 1), s, sizeof s), rd32(v + 1)); break;
    case PSDISK_VAL_LIST: put(t, "  %s = a list of %u\n", sel, n); break;
    default: put(t, "  %s = (a value of kind %u)\n", sel, v[0]); break;
    }
}

u32 psshow_object(u32 oid, const u8 *bytes, u32 length, psshow_name_fn name_of, char *out, u32 size)
{
    struct text t = { out, size, 0 };
    struct psobj o;
    if (!size)
        return 0;
    out[0] = 0;
    if (!psobj_parse(bytes, length, &o)) {
        put(&t, "object %u: unreadable (%u bytes)\n", oid, length);
        return t.len;
    }
    if (o.blob) {
        put(&t, "object %u: a blob of %u byte%s\n", oid, o.length - 4, o.length - 4 == 1 ? "" : "s");
        return t.len;
    }
    char name[PSDISK_MAX_NAME + 1], sel[PSDISK_MAX_NAME + 1], ref[PSDISK_MAX_NAME + 1];
    copy_name(name, o.name, o.name_length);
    put(&t, "object %u: %s\n", oid, name);
    struct psobj_slot s;
    for (u32 c = 0; psobj_next_slot(&o, &c, &s);) {
        copy_name(sel, s.name, s.name_length);
        if (s.kind == PSDISK_SLOT_DATA) {
            put_value(&t, sel, s.value, name_of);
        } else if (s.kind == PSDISK_SLOT_PARENT) {
            put(&t, "  %s* = %s (%u)\n", sel, name_of(psobj_parent_oid(&s), ref, sizeof ref), psobj_parent_oid(&s));
        } else if (s.kind == PSDISK_SLOT_METHOD) {
            put(&t, "  %s = a method (IPC label %u)\n", sel, psobj_method_label(&s));
        } else {
            struct psdisk_cap d;
            psobj_cap_of(&s, &d);
            if (!d.kind)
                put(&t, "  %s = no capability\n", sel);
            else
                put(&t, "  %s = %s cap, rights %u, badge %x, in slot %u of %s\n", sel, cap_kind(d.kind), d.rights, d.badge,
                    d.slot, d.holder ? name_of(d.holder, ref, sizeof ref) : "the root task");
        }
    }
    struct psobj_trait_use u;
    for (u32 c = 0; psobj_next_trait(&o, &c, &u);)
        put(&t, "  uses %s (%u)\n", name_of(u.trait, ref, sizeof ref), u.trait);
    return t.len;
}
