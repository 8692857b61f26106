/* Calls on a Persistence Server endpoint: see user/psclient.h and include/telos/ps.h. */
#include <telos/ps.h>
#include <telos/psdisk.h>
#include "user/psclient.h"
#include "user/telos.h"
#include "lib/psobj.h"
#include "lib/string.h"

u32 ps_begin(u32 ep, u32 *tx)
{
    u32 r[TELOS_MAX_MRS];
    u32 err = telos_call_words(ep, PS_BEGIN, 0, NULL, r, NULL);
    *tx = err ? 0 : r[0];
    return err;
}

void ps_batch_start(struct ps_batch *b, u32 tx)
{
    b->words[0] = tx;
    b->len = 2;
    b->count = 0;
}

bool ps_batch_add(struct ps_batch *b, u32 oid, const void *bytes, u32 n)
{
    if (b->len + 2 + (n + 3) / 4 > TELOS_MAX_MRS)
        return false;
    b->words[b->len] = oid;
    b->words[b->len + 1] = n;
    if (n)
        b->words[b->len + 2 + (n + 3) / 4 - 1] = 0; /* the last word's padding */
    memcpy(&b->words[b->len + 2], bytes, n);
    b->len += 2 + (n + 3) / 4;
    b->count++;
    return true;
}

u32 ps_batch_put(u32 ep, struct ps_batch *b)
{
    b->words[1] = b->count;
    return telos_call_words(ep, PS_PUT, b->len, b->words, NULL, NULL);
}

u32 ps_put(u32 ep, u32 tx, u32 oid, const void *bytes, u32 len)
{
    struct ps_batch b;
    ps_batch_start(&b, tx);
    if (ps_batch_add(&b, oid, bytes, len))
        return ps_batch_put(ep, &b);
    /* Larger than one message: in parts, in order of offset. */
    const u32 chunk = (TELOS_MAX_MRS - 5) * 4;
    for (u32 off = 0; off < len; off += chunk) {
        u32 n = len - off < chunk ? len - off : chunk;
        u32 w[TELOS_MAX_MRS];
        w[0] = tx;
        w[1] = oid;
        w[2] = len;
        w[3] = off;
        w[4] = n;
        w[5 + (n + 3) / 4 - 1] = 0;
        memcpy(&w[5], (const u8 *)bytes + off, n);
        u32 err = telos_call_words(ep, PS_PUT_PART, 5 + (n + 3) / 4, w, NULL, NULL);
        if (err)
            return err;
    }
    return PS_OK;
}

u32 ps_commit(u32 ep, u32 tx, u32 *tid)
{
    u32 r[TELOS_MAX_MRS];
    u32 err = telos_call_words(ep, PS_COMMIT, 1, &tx, r, NULL);
    if (tid)
        *tid = err ? 0 : r[0];
    return err;
}

u32 ps_abort(u32 ep, u32 tx)
{
    return telos_call_words(ep, PS_ABORT, 1, &tx, NULL, NULL);
}

u32 ps_get_tx(u32 ep, u32 tx, u32 oid, void *out, u32 max, u32 *len, u32 *serial)
{
    u32 r[TELOS_MAX_MRS], n, got = 0, total = 0, first_serial = 0;
    for (u32 attempt = 0; attempt < 8; attempt++) {
        got = 0;
        do {
            u32 args[3] = { oid, got, tx };
            u32 err = telos_call_words(ep, PS_GET, tx ? 3 : 2, args, r, &n);
            if (err)
                return err;
            if (got == 0)
                first_serial = r[1];
            else if (r[1] != first_serial)
                break; /* committed anew between two pieces: read it again */
            total = r[0];
            u32 here = n >= 2 ? (n - 2) * 4 : 0;
            if (here > total - got)
                here = total - got;
            if (got < max)
                memcpy((u8 *)out + got, &r[2], here < max - got ? here : max - got);
            got += here;
            if (!here)
                break;
        } while (got < total);
        if (got >= total)
            break;
    }
    if (got < total)
        return PS_EBUSY;
    *len = total;
    if (serial)
        *serial = first_serial;
    return PS_OK;
}

u32 ps_get(u32 ep, u32 oid, void *out, u32 max, u32 *len)
{
    return ps_get_tx(ep, 0, oid, out, max, len, NULL);
}

u32 ps_stat(u32 ep, struct ps_stat *s)
{
    u32 r[TELOS_MAX_MRS] = { 0 };
    u32 err = telos_call_words(ep, PS_STAT, 0, NULL, r, NULL);
    s->objects = r[0];
    s->last_tid = r[1];
    s->log_end = r[2];
    s->generation = r[3];
    s->object_bytes = r[4];
    s->region_sectors = r[5];
    s->epoch = r[6];
    s->compactions = r[7];
    s->open_transactions = r[8];
    s->active_region = r[9];
    return err;
}

u32 ps_lookup(u32 ep, u32 receiver, const char *selector, struct ps_lookup_result *out)
{
    u32 n = strlen(selector), w[2 + 16] = { receiver, n };
    memset(out, 0, sizeof *out);
    if (n == 0 || n > 63)
        return PS_EMALFORMED;
    memcpy(&w[2], selector, n);
    u32 r[TELOS_MAX_MRS], len;
    u32 err = telos_call_words(ep, PS_LOOKUP, 2 + (n + 3) / 4, w, r, &len);
    if (err)
        return err;
    out->result = r[0];
    out->holder = r[1];
    out->kind = r[2];
    out->trait = r[3];
    out->other = r[4];
    out->at = r[5];
    u32 sn = r[6] < 63 ? r[6] : 63;
    memcpy(out->slot, &r[7], sn);
    out->slot[sn] = 0;
    return PS_OK;
}

u32 ps_pack(u32 ep, u32 mode, u32 *removed, u32 *kept)
{
    u32 r[TELOS_MAX_MRS] = { 0 };
    u32 err = telos_call_words(ep, PS_PACK, 1, &mode, r, NULL);
    if (removed)
        *removed = r[0];
    if (kept)
        *kept = r[1];
    return err;
}

static u8 blob_buf[PSDISK_MAX_OBJECT_SIZE];

bool ps_batch_add_blob(struct ps_batch *b, u32 oid, const void *data, u32 n)
{
    u32 len = psobj_blob(blob_buf, sizeof blob_buf, data, n);
    return len && ps_batch_add(b, oid, blob_buf, len);
}

u32 ps_put_blob(u32 ep, u32 tx, u32 oid, const void *data, u32 n)
{
    u32 len = psobj_blob(blob_buf, sizeof blob_buf, data, n);
    return len ? ps_put(ep, tx, oid, blob_buf, len) : PS_EMALFORMED;
}

u32 ps_get_blob(u32 ep, u32 oid, void *out, u32 max, u32 *len)
{
    u32 total;
    u32 err = ps_get(ep, oid, blob_buf, sizeof blob_buf, &total);
    struct psobj o;
    if (err)
        return err;
    if (!psobj_parse(blob_buf, total, &o) || !o.blob)
        return PS_EMALFORMED;
    *len = total - 4;
    memcpy(out, blob_buf + 4, *len < max ? *len : max);
    return PS_OK;
}
