/* vfs and vfs-verify: vfs_server's sessions. The root task starts the block server and
 * vfs_server with the second disk, and as a client of the root session writes a file on
 * /disk (ext2 on hdb; the host then reads it with debugfs and checks the disk with e2fsck)
 * and works in /tmp (ram). It makes narrower sessions and tries every way out of them:
 * paths outside the grants, ".." past the root, relative and malformed paths, writes
 * under a read-only grant, more rights than it holds, other sessions' handles, forged and
 * stale session capabilities, length fields past the message. vfs-verify, on the next
 * boot, reads the file back and finds /tmp empty. */
#include <telos/vfs.h>
#include "user/ktest/ktest.h"
#include "user/vfsclient.h"
#include "user/blockclient.h"
#include "lib/format.h"
#include "lib/string.h"

#define HELLO      "/disk/docs/hello.txt"
#define HELLO_SIZE 5000

static u32 failures;

static void fail_if(bool bad, const char *what)
{
    if (bad) {
        telos_printf("TelOS: vfs: WRONG: %s\n", what);
        failures++;
    }
}

static void expect_refusal(const char *what, u32 got, u32 want)
{
    if (got == want) {
        telos_printf("TelOS: vfs: %s -> refused: %s\n", what, vfs_error_name(got));
    } else {
        telos_printf("TelOS: vfs: WRONG: %s answered %u (%s), expected %u (%s)\n", what, got, vfs_error_name(got), want,
                     vfs_error_name(want));
        failures++;
    }
}

static void ok(const char *what, u32 err)
{
    if (err) {
        telos_printf("TelOS: vfs: WRONG: %s failed: %s\n", what, vfs_error_name(err));
        failures++;
    }
}

/* The file's text: numbered lines, HELLO_SIZE bytes (the host builds the same). */
static void hello_text(u8 *out)
{
    u32 at = 0;
    for (u32 line = 0; at < HELLO_SIZE; line++) {
        char l[64];
        u32 n = format_to(l, sizeof l, "hdb line %u: the file vfs_server wrote\n", line);
        for (u32 i = 0; i < n && at < HELLO_SIZE; i++)
            out[at++] = (u8)l[i];
    }
}

static u32 write_file(u32 ep, const char *path, const void *data, u32 n)
{
    struct vfs_file f;
    u32 err = vfs_open(ep, path, VFS_O_WRITE | VFS_O_CREATE | VFS_O_TRUNC, &f);
    if (err)
        return err;
    err = vfs_write(&f, data, n);
    u32 cerr = vfs_close(&f);
    return err ? err : cerr;
}

static u32 read_file(u32 ep, const char *path, void *data, u32 max, u32 *got)
{
    struct vfs_file f;
    u32 err = vfs_open(ep, path, VFS_O_READ, &f);
    if (err)
        return err;
    err = vfs_read(&f, data, max, got);
    vfs_close(&f);
    return err;
}

u32 open_status(u32 ep, const char *path, u32 flags)
{
    struct vfs_file f;
    u32 err = vfs_open(ep, path, flags, &f);
    if (!err)
        vfs_close(&f);
    return err;
}

static bool start(void)
{
    start_block();
    u32 sizes[2];
    block_disks(sizes);
    if (!sizes[1]) {
        telos_print("TelOS: vfs test FAILED (no second disk)\n");
        return false;
    }
    start_vfs();
    return true;
}

static u8 hello[HELLO_SIZE], back[HELLO_SIZE + 64];

static void confinement(u32 root)
{
    /* A child's namespace: /tmp read-write, /disk/docs read-only. */
    const struct vfs_grant grants[] = { { "/tmp", VFS_RIGHT_RW }, { "/disk/docs", VFS_RIGHT_RO } };
    u32 child = slot_alloc(), grandchild = slot_alloc(), ro = slot_alloc();
    ok("a child session", vfs_session(root, grants, 2, 2, child));
    u32 got;
    ok("child reads /disk/docs/hello.txt", read_file(child, HELLO, back, sizeof back, &got));
    fail_if(got != HELLO_SIZE || memcmp(back, hello, HELLO_SIZE), "the child read other bytes");
    ok("child writes /tmp/child.txt", write_file(child, "/tmp/child.txt", "mine", 4));
    expect_refusal("child creates a file under its read-only grant",
                   open_status(child, "/disk/docs/new.txt", VFS_O_WRITE | VFS_O_CREATE), VFS_EROFS);
    expect_refusal("child opens a read-only file for writing", open_status(child, HELLO, VFS_O_WRITE), VFS_EROFS);
    expect_refusal("child truncates a read-only file", open_status(child, HELLO, VFS_O_READ | VFS_O_TRUNC), VFS_EROFS);
    expect_refusal("child mkdir under its read-only grant", vfs_mkdir(child, "/disk/docs/d"), VFS_EROFS);
    expect_refusal("child unlinks under its read-only grant", vfs_unlink(child, HELLO), VFS_EROFS);
    expect_refusal("child renames out of its read-only grant", vfs_rename(child, HELLO, "/tmp/stolen"), VFS_EROFS);
    struct vfs_stat st;
    expect_refusal("child stats /disk", vfs_stat(child, "/disk", &st), VFS_EOUTSIDE);
    expect_refusal("child opens /disk/secret", open_status(child, "/disk/secret", VFS_O_READ), VFS_EOUTSIDE);
    expect_refusal("child climbs out with ..", open_status(child, "/disk/docs/../secret", VFS_O_READ), VFS_EOUTSIDE);
    expect_refusal("child climbs out of /tmp with ..", open_status(child, "/tmp/../disk/x", VFS_O_READ), VFS_EOUTSIDE);
    /* Catches: a grant check by prefix alone, so /disk/docs would hold /disk/docs2 too. */
    expect_refusal("child opens a sibling sharing its grant's prefix", open_status(child, "/disk/docs2", VFS_O_READ),
                   VFS_EOUTSIDE);
    expect_refusal("child climbs above the root", open_status(child, "/tmp/../../tmp/child.txt", VFS_O_READ),
                   VFS_EOUTSIDE);
    expect_refusal("child names a relative path", open_status(child, "tmp/child.txt", VFS_O_READ), VFS_EBADPATH);
    expect_refusal("child names an empty path", open_status(child, "", VFS_O_READ), VFS_EBADPATH);
    u64 cookie = 0;
    bool end;
    struct vfs_entry e;
    expect_refusal("child lists /", vfs_readdir(child, "/", &cookie, &e, &end), VFS_EOUTSIDE);
    expect_refusal("child stats /tmp/..", vfs_stat(child, "/tmp/..", &st), VFS_EOUTSIDE);
    /* Narrower still: never more rights or more tree than it holds. */
    const struct vfs_grant wider[] = { { "/disk/docs", VFS_RIGHT_RW } };
    expect_refusal("child asks read-write on its read-only grant", vfs_session(child, wider, 1, 0, grandchild), VFS_EACCES);
    /* Catches: rights checked only against grants the new one covers, not the one holding it. */
    const struct vfs_grant below[] = { { "/disk/docs/sub", VFS_RIGHT_RW } };
    expect_refusal("child asks read-write below its read-only grant", vfs_session(child, below, 1, 0, grandchild),
                   VFS_EACCES);
    const struct vfs_grant outside[] = { { "/disk", VFS_RIGHT_RO } };
    expect_refusal("child asks for /disk", vfs_session(child, outside, 1, 0, grandchild), VFS_EOUTSIDE);
    const struct vfs_grant up[] = { { "/tmp/..", VFS_RIGHT_RO } };
    expect_refusal("child asks for /tmp/..", vfs_session(child, up, 1, 0, grandchild), VFS_EOUTSIDE);
    expect_refusal("child asks for no grant", vfs_session(child, grants, 0, 0, grandchild), VFS_EINVAL);
    const struct vfs_grant five[] = { { "/tmp", 0 }, { "/tmp", 0 }, { "/tmp", 0 }, { "/tmp", 0 }, { "/tmp", 0 } };
    expect_refusal("child asks for five grants", vfs_session(child, five, 5, 0, grandchild), VFS_EINVAL);
    const struct vfs_grant tmp_only[] = { { "/tmp", VFS_RIGHT_RW } };
    ok("a grandchild session", vfs_session(child, tmp_only, 1, 0, grandchild));
    u32 n;
    ok("grandchild reads /tmp/child.txt", read_file(grandchild, "/tmp/child.txt", back, 16, &n));
    fail_if(n != 4 || memcmp(back, "mine", 4), "the grandchild read other bytes");
    expect_refusal("grandchild reads /disk/docs/hello.txt", open_status(grandchild, HELLO, VFS_O_READ), VFS_EOUTSIDE);
    /* A parent with a read-write grant over a read-only one cannot hand out the whole. */
    const struct vfs_grant mixed[] = { { "/disk", VFS_RIGHT_RW }, { "/disk/docs", VFS_RIGHT_RO } };
    u32 mixed_slot = slot_alloc(), mixed_child = slot_alloc();
    ok("a mixed session", vfs_session(root, mixed, 2, 0, mixed_slot));
    expect_refusal("mixed session writes under its read-only grant",
                   open_status(mixed_slot, "/disk/docs/x", VFS_O_WRITE | VFS_O_CREATE), VFS_EROFS);
    const struct vfs_grant whole[] = { { "/disk", VFS_RIGHT_RW } };
    expect_refusal("mixed session hands out /disk read-write", vfs_session(mixed_slot, whole, 1, 0, mixed_child),
                   VFS_EACCES);
    vfs_session_close(mixed_slot);

    /* A read-only session over everything. */
    const struct vfs_grant all_ro[] = { { "/", VFS_RIGHT_RO } };
    ok("a read-only session", vfs_session(root, all_ro, 1, 0, ro));
    ok("read-only session reads", read_file(ro, HELLO, back, sizeof back, &got));
    expect_refusal("read-only session creates /tmp/x", open_status(ro, "/tmp/x", VFS_O_WRITE | VFS_O_CREATE), VFS_EROFS);
    expect_refusal("read-only session writes /tmp/child.txt", open_status(ro, "/tmp/child.txt", VFS_O_WRITE), VFS_EROFS);
    expect_refusal("read-only session mkdir", vfs_mkdir(ro, "/disk/newdir"), VFS_EROFS);
    expect_refusal("read-only session unlinks", vfs_unlink(ro, "/tmp/child.txt"), VFS_EROFS);
    expect_refusal("read-only session renames", vfs_rename(ro, "/tmp/child.txt", "/tmp/y"), VFS_EROFS);
    struct vfs_file rf;
    ok("read-only session opens for reading", vfs_open(ro, HELLO, VFS_O_READ, &rf));
    expect_refusal("a write through a read-only handle", vfs_write_at(ro, rf.handle, 0, "x", 1), VFS_EBADF);
    expect_refusal("another session's handle", vfs_read_at(child, rf.handle, 0, back, 1, &got), VFS_EBADHANDLE);
    vfs_close(&rf);
    expect_refusal("a closed handle", vfs_read_at(ro, rf.handle, 0, back, 1, &got), VFS_EBADHANDLE);

    /* Forged and stale session capabilities. */
    u32 forged = mint_cap(vfs_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT, VFS_BADGE(9, 1));
    expect_refusal("a badge that names no session", vfs_stat(forged, "/", &st), TELOS_EINVALID_CAPABILITY);
    u32 beyond = mint_cap(vfs_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT, VFS_BADGE(40, 1));
    expect_refusal("a badge past the session table", vfs_stat(beyond, "/", &st), TELOS_EINVALID_CAPABILITY);
    u32 wrong_gen = mint_cap(vfs_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT, VFS_BADGE(0, 7));
    expect_refusal("the root session's index with another generation", vfs_stat(wrong_gen, "/", &st),
                   TELOS_EINVALID_CAPABILITY);
    /* Closing revokes: the child's capability, a copy of it and the grandchild's are gone,
     * so none can reach the session that takes the place (whatever its generation). */
    u32 obj, rights, child_badge = 0, copy = slot_alloc();
    telos_cap_identify(TELOS_SLOT_CNODE, child, &obj, &rights, &child_badge);
    ok("a copy of the child's capability",
       TELOS_INVOKE(TELOS_SLOT_CNODE, TELOS_CNODE_COPY, copy, TELOS_SLOT_CNODE, child, TELOS_RIGHTS_ALL));
    ok("child closes its session", vfs_session_close(child));
    bool revoked = slot_is_empty(child) && slot_is_empty(copy) && slot_is_empty(grandchild);
    fail_if(!slot_is_empty(child), "the closed session's capability is still there");
    fail_if(!slot_is_empty(copy), "a copy of the closed session's capability is still there");
    fail_if(!slot_is_empty(grandchild), "the capability of a session made from the closed one is still there");
    if (revoked)
        telos_print("TelOS: vfs: the closed session's capability, its copy and its grandchild's: revoked\n");
    u32 again = slot_alloc(), again_badge = 0;
    ok("a new session in the freed place", vfs_session(root, tmp_only, 1, 0, again));
    telos_cap_identify(TELOS_SLOT_CNODE, again, &obj, &rights, &again_badge);
    fail_if(VFS_BADGE_INDEX(again_badge) != VFS_BADGE_INDEX(child_badge), "the new session took another place");
    /* The raw endpoint's holder can still mint the old badge: the generation refuses it. */
    u32 stale = mint_cap(vfs_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT, child_badge);
    expect_refusal("the closed session's badge after its place was reused", vfs_stat(stale, "/tmp", &st),
                   TELOS_EINVALID_CAPABILITY);
    expect_refusal("closing the root session", vfs_session_close(root), VFS_EBUSY);
    vfs_session_close(again);
    vfs_session_close(ro);
}

/* Sessions made from `ep` (quota 0, /tmp read-only) into slots[0..] until refused: how
 * many, and the refusal. */
static u32 fill(u32 ep, const u32 *slots, u32 max, u32 *refusal)
{
    const struct vfs_grant tmp_ro[] = { { "/tmp", VFS_RIGHT_RO } };
    u32 n = 0;
    *refusal = 0;
    while (n < max && !(*refusal = vfs_session(ep, tmp_ro, 1, 0, slots[n])))
        n++;
    return n;
}

/* Closes the sessions of slots[from..n); whether every capability of them is gone. */
static bool close_all(const u32 *slots, u32 from, u32 n)
{
    bool gone = true;
    for (u32 i = from; i < n; i++) {
        ok("closing a session", vfs_session_close(slots[i]));
        gone = gone && slot_is_empty(slots[i]);
    }
    return gone;
}

/* Quotas: a session makes as many sessions as its quota, then a clear refusal; closing
 * gives them back and revokes their capabilities; a session whose capability never
 * arrived is given back too; only its maker closes a session by its badge. */
static void quotas(u32 root)
{
    static u32 slots[VFS_MAX_SESSIONS];
    for (u32 i = 0; i < VFS_MAX_SESSIONS; i++)
        slots[i] = slot_alloc();
    u32 refusal, n = fill(root, slots, VFS_MAX_SESSIONS, &refusal);
    telos_printf("TelOS: vfs: the root session made %u sessions, then: %s\n", n, vfs_error_name(refusal));
    fail_if(n != VFS_MAX_SESSIONS - 1 || refusal != VFS_EQUOTA, "the root session's quota is not the rest of the table");
    fail_if(!close_all(slots, 0, n), "a closed session's capability is still there");

    const struct vfs_grant tmp[] = { { "/tmp", VFS_RIGHT_RW } };
    u32 limited = slot_alloc(), obj, rights, badge = 0;
    expect_refusal("a session asks for all of the root session's quota",
                   vfs_session(root, tmp, 1, VFS_MAX_SESSIONS - 1, limited), VFS_EQUOTA);
    ok("a session of quota 5", vfs_session(root, tmp, 1, 5, limited));
    n = fill(limited, slots, VFS_MAX_SESSIONS, &refusal);
    fail_if(n != 5, "a session of quota 5 made another number of sessions");
    expect_refusal("a sixth session from a session of quota 5", refusal, VFS_EQUOTA);
    fail_if(!close_all(slots, 0, n), "a closed session's capability is still there");
    expect_refusal("a session of quota 5 asks for a session of quota 5", vfs_session(limited, tmp, 1, 5, slots[0]),
                   VFS_EQUOTA);

    /* Capabilities that cannot arrive: the sessions made for them are closed again. */
    telos_cap_identify(TELOS_SLOT_CNODE, limited, &obj, &rights, &badge);
    u32 no_grant = mint_cap(vfs_raw_ep, TELOS_RIGHT_WRITE | TELOS_RIGHT_GRANT_REPLY, badge);
    expect_refusal("a session asked through a capability without Grant", vfs_session(no_grant, tmp, 1, 0, slot_alloc()),
                   TELOS_EFAILED_LOOKUP);
    expect_refusal("a session into a slot that is not empty", vfs_session(limited, tmp, 1, 0, no_grant),
                   TELOS_EFAILED_LOOKUP);
    n = fill(limited, slots, VFS_MAX_SESSIONS, &refusal);
    telos_printf("TelOS: vfs: after two sessions whose capabilities never arrived, the session of quota 5 makes %u\n", n);
    fail_if(n != 5, "a session whose capability never arrived stayed allocated");

    /* Closing by badge: the maker only. */
    u32 first = 0;
    telos_cap_identify(TELOS_SLOT_CNODE, slots[0], &obj, &rights, &first);
    expect_refusal("the root session closes a session it did not make",
                   telos_call_words(root, VFS_SESSION_CLOSE, 1, &first, NULL, NULL), VFS_EINVAL);
    ok("the maker closes a session by its badge", telos_call_words(limited, VFS_SESSION_CLOSE, 1, &first, NULL, NULL));
    fail_if(!slot_is_empty(slots[0]), "a session closed by its badge kept its capability");
    /* Closing the maker closes the rest and revokes their capabilities. */
    ok("closing the session of quota 5", vfs_session_close(limited));
    bool gone = slot_is_empty(limited);
    for (u32 i = 1; i < n; i++)
        gone = gone && slot_is_empty(slots[i]);
    fail_if(!gone, "a session made from a closed one kept its capability");
    n = fill(root, slots, VFS_MAX_SESSIONS, &refusal);
    telos_printf("TelOS: vfs: everything closed, the root session makes %u sessions again\n", n);
    fail_if(n != VFS_MAX_SESSIONS - 1, "closed sessions did not give their quota back");
    close_all(slots, 0, n);
}

static void malformed(u32 root)
{
    u32 w[8] = { VFS_O_READ, 200, 0x706d742f, 0 };
    expect_refusal("a path length past the message", telos_call_words(root, VFS_OPEN, 3, w, NULL, NULL),
                   TELOS_ETRUNCATED_MESSAGE);
    w[1] = 0xFFFFFFF0u;
    expect_refusal("a path length near 2^32", telos_call_words(root, VFS_OPEN, 3, w, NULL, NULL), VFS_ENAMETOOLONG);
    w[1] = 6;
    memcpy(&w[2], "/tm\0/x\0\0", 8);
    expect_refusal("a NUL inside a path", telos_call_words(root, VFS_OPEN, 4, w, NULL, NULL), VFS_EBADPATH);
    u32 none[1] = { VFS_O_READ };
    expect_refusal("no path at all", telos_call_words(root, VFS_OPEN, 1, none, NULL, NULL), TELOS_ETRUNCATED_MESSAGE);
    struct vfs_file f;
    ok("open /disk/docs/hello.txt", vfs_open(root, HELLO, VFS_O_READ | VFS_O_WRITE, &f));
    u32 rd[4] = { f.handle, 0, 0, VFS_MAX_DATA + 1 };
    expect_refusal("a read longer than a message", telos_call_words(root, VFS_READ, 4, rd, NULL, NULL), VFS_EINVAL);
    u32 wr[4] = { f.handle, 0, 0, 400 };
    expect_refusal("a write with its bytes missing", telos_call_words(root, VFS_WRITE, 4, wr, NULL, NULL),
                   TELOS_ETRUNCATED_MESSAGE);
    expect_refusal("a read of three words", telos_call_words(root, VFS_READ, 3, rd, NULL, NULL),
                   TELOS_ETRUNCATED_MESSAGE);
    u32 bad_handles[] = { 0, VFS_MAX_HANDLES + 1, 0xFFFFFFFFu };
    for (u32 i = 0; i < 3; i++) {
        u32 r[4] = { bad_handles[i], 0, 0, 1 };
        expect_refusal("a read on no handle", telos_call_words(root, VFS_READ, 4, r, NULL, NULL), VFS_EBADHANDLE);
    }
    vfs_close(&f);
    expect_refusal("open with unknown flags", open_status(root, HELLO, VFS_O_READ | 0x100), VFS_EINVAL);
    expect_refusal("open with neither read nor write", open_status(root, HELLO, VFS_O_CREATE), VFS_EINVAL);
    expect_refusal("an unknown operation", telos_call_words(root, 77, 0, NULL, NULL, NULL), TELOS_EILLEGAL_OPERATION);
    u32 sess[5] = { 1, 0, 7, 4, 0x706d742f };
    expect_refusal("a grant with unknown rights", telos_call_words(root, VFS_SESSION, 5, sess, NULL, NULL), VFS_EINVAL);
    u32 sess2[3] = { 2, 0, 1 };
    expect_refusal("a grant count past the message", telos_call_words(root, VFS_SESSION, 3, sess2, NULL, NULL),
                   TELOS_ETRUNCATED_MESSAGE);
}

static void tmp_and_tree(u32 root)
{
    ok("write /tmp/a.txt", write_file(root, "/tmp/a.txt", "ram bytes", 9));
    ok("rename /tmp/a.txt to /tmp/b.txt", vfs_rename(root, "/tmp/a.txt", "/tmp/b.txt"));
    u32 n;
    ok("read /tmp/b.txt", read_file(root, "/tmp/b.txt", back, 64, &n));
    fail_if(n != 9 || memcmp(back, "ram bytes", 9), "/tmp/b.txt holds other bytes");
    struct vfs_stat st;
    expect_refusal("stat the renamed-away name", vfs_stat(root, "/tmp/a.txt", &st), VFS_ENOENT);
    ok("mkdir /tmp/sub", vfs_mkdir(root, "/tmp/sub"));
    ok("move /tmp/b.txt into /tmp/sub", vfs_rename(root, "/tmp/b.txt", "/tmp/sub/b.txt"));
    expect_refusal("rmdir a non-empty directory", vfs_unlink(root, "/tmp/sub"), VFS_ENOTEMPTY);
    expect_refusal("move a directory into itself", vfs_rename(root, "/tmp/sub", "/tmp/sub/inner"), VFS_EINVAL);
    expect_refusal("rename across mounts", vfs_rename(root, "/tmp/sub/b.txt", "/disk/b.txt"), VFS_EXDEV);
    expect_refusal("remove a mount point", vfs_unlink(root, "/tmp"), VFS_EBUSY);
    expect_refusal("make a directory in /", vfs_mkdir(root, "/etc"), VFS_EROFS);
    expect_refusal("open a directory", open_status(root, "/tmp/sub", VFS_O_READ), VFS_EISDIR);
    ok("unlink /tmp/sub/b.txt", vfs_unlink(root, "/tmp/sub/b.txt"));
    ok("rmdir /tmp/sub", vfs_unlink(root, "/tmp/sub"));
    /* "/" lists the mounts. */
    u64 cookie = 0;
    bool end = false;
    struct vfs_entry e;
    telos_print("TelOS: vfs: / holds");
    while (!vfs_readdir(root, "/", &cookie, &e, &end) && !end)
        telos_printf(" %s", e.name);
    telos_print("\n");
    struct vfs_fsinfo fi;
    ok("statfs /disk", vfs_statfs(root, "/disk", &fi));
    telos_printf("TelOS: vfs: /disk is %s, %u blocks of %u bytes, %u free\n", fi.plugin, fi.blocks, fi.block_size,
                 fi.free_blocks);
    ok("statfs /tmp", vfs_statfs(root, "/tmp/", &fi));
    telos_printf("TelOS: vfs: /tmp is %s, %u blocks of %u bytes, %u free\n", fi.plugin, fi.blocks, fi.block_size,
                 fi.free_blocks);
}

/* A read reply carries whole words: the bytes past the data in its last word are zero,
 * never what an earlier reply (another file, another session) held there. */
static void read_padding(u32 root)
{
    ok("write /tmp/pad8", write_file(root, "/tmp/pad8", "ABCDEFGH", 8));
    ok("write /tmp/pad5", write_file(root, "/tmp/pad5", "xyz12", 5));
    struct vfs_file a, b;
    ok("open /tmp/pad8", vfs_open(root, "/tmp/pad8", VFS_O_READ, &a));
    ok("open /tmp/pad5", vfs_open(root, "/tmp/pad5", VFS_O_READ, &b));
    u32 ra[4] = { a.handle, 0, 0, 8 }, rb[4] = { b.handle, 0, 0, 5 }, reply[TELOS_MAX_MRS] = { 0 }, len = 0;
    ok("read 8 bytes", telos_call_words(root, VFS_READ, 4, ra, reply, &len));
    fail_if(len != 3 || reply[0] != 8 || memcmp(&reply[1], "ABCDEFGH", 8), "the 8-byte read answered other words");
    memset(reply, 0, sizeof reply);
    ok("read 5 bytes", telos_call_words(root, VFS_READ, 4, rb, reply, &len));
    fail_if(len != 3 || reply[0] != 5 || memcmp(&reply[1], "xyz12", 5), "the 5-byte read answered other words");
    u32 pad = reply[2] >> 8;
    telos_printf("TelOS: vfs: a 5-byte read after an 8-byte one: padding of its last word 0x%x\n", pad);
    fail_if(pad != 0, "a read reply's padding holds bytes of an earlier reply");
    vfs_close(&a);
    vfs_close(&b);
    ok("unlink /tmp/pad8", vfs_unlink(root, "/tmp/pad8"));
    ok("unlink /tmp/pad5", vfs_unlink(root, "/tmp/pad5"));
}

/* A read-only grant inside a read-write one: no rename moves the read-only subtree to
 * where the read-write grant rules, nor puts something of the session's in its place. */
static void nested_ro(u32 root)
{
    ok("mkdir /tmp/outer", vfs_mkdir(root, "/tmp/outer"));
    ok("mkdir /tmp/outer/ro", vfs_mkdir(root, "/tmp/outer/ro"));
    ok("write /tmp/outer/ro/data", write_file(root, "/tmp/outer/ro/data", "kept", 4));
    const struct vfs_grant grants[] = { { "/tmp", VFS_RIGHT_RW }, { "/tmp/outer/ro", VFS_RIGHT_RO },
                                        { "/tmp/later/ro", VFS_RIGHT_RO } };
    u32 s = slot_alloc();
    ok("a session with read-only grants inside a read-write one", vfs_session(root, grants, 3, 0, s));
    expect_refusal("nested session writes under its read-only grant",
                   open_status(s, "/tmp/outer/ro/data", VFS_O_WRITE), VFS_EROFS);
    expect_refusal("nested session renames the directory holding its read-only grant",
                   vfs_rename(s, "/tmp/outer", "/tmp/moved"), VFS_EROFS);
    ok("nested session makes /tmp/mine", vfs_mkdir(s, "/tmp/mine"));
    ok("nested session makes /tmp/mine/ro", vfs_mkdir(s, "/tmp/mine/ro"));
    expect_refusal("nested session renames its directory over where a read-only grant lies",
                   vfs_rename(s, "/tmp/mine", "/tmp/later"), VFS_EROFS);
    struct vfs_stat st;
    expect_refusal("the read-only data under a moved name", vfs_stat(root, "/tmp/moved/ro/data", &st), VFS_ENOENT);
    expect_refusal("the session's directory where the read-only grant lies", vfs_stat(root, "/tmp/later", &st),
                   VFS_ENOENT);
    ok("the read-only data in its place", vfs_stat(root, "/tmp/outer/ro/data", &st));
    vfs_session_close(s);
    vfs_rename(root, "/tmp/moved", "/tmp/outer");
    vfs_rename(root, "/tmp/later", "/tmp/mine");
    ok("unlink /tmp/outer/ro/data", vfs_unlink(root, "/tmp/outer/ro/data"));
    ok("rmdir /tmp/outer/ro", vfs_unlink(root, "/tmp/outer/ro"));
    ok("rmdir /tmp/outer", vfs_unlink(root, "/tmp/outer"));
    ok("rmdir /tmp/mine/ro", vfs_unlink(root, "/tmp/mine/ro"));
    ok("rmdir /tmp/mine", vfs_unlink(root, "/tmp/mine"));
}

/* Random messages on a session over /tmp: every one answered, nothing outside touched. */
static void fuzz(u32 root)
{
    const struct vfs_grant tmp_only[] = { { "/tmp", VFS_RIGHT_RW } };
    u32 sess = slot_alloc();
    /* Quota 2: the random VFS_SESSIONs that pass (their capabilities arrive nowhere) stay
     * inside it and come back with the fuzzed session's close. */
    ok("a session to fuzz", vfs_session(root, tmp_only, 1, 2, sess));
    u32 x = 0x9E3779B9u, answered = 0, accepted = 0;
    const u32 rounds = ktest_arg("vfs-fuzz=", 3000);
    static const char *const names[] = { "/tmp/f", "/tmp", "/", "/disk/docs/hello.txt", "/tmp/../disk", "/tmp/d/e" };
    for (u32 i = 0; i < rounds; i++) {
        u32 w[TELOS_MAX_MRS];
        for (u32 k = 0; k < TELOS_MAX_MRS; k++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            w[k] = (x & 3) == 0 ? x : (x >> 8) % 24;   /* mostly small numbers, sometimes anything */
        }
        u32 label = w[0] % 16, len = w[1] % (TELOS_MAX_MRS + 1);
        if (label == VFS_SESSION_CLOSE)
            label = VFS_STAT;
        if (w[2] % 3 == 0) {
            /* A real path where the operation expects one, so the plugins are reached too. */
            const char *p = names[w[3] % 6];
            u32 at = label == VFS_OPEN ? 1 : label == VFS_SESSION || label == VFS_READDIR ? 2 : 0;
            if (label == VFS_SESSION)
                w[at++] = w[4] % 2;
            w[at] = strlen(p);
            memcpy(&w[at + 1], p, strlen(p));
            if (len < at + 1 + (strlen(p) + 3) / 4)
                len = at + 1 + (strlen(p) + 3) / 4;
            if (label == VFS_OPEN)
                w[0] = 1 + w[5] % VFS_O_ALL;
        }
        u32 status = telos_call_words(sess, label, len, w + 0, NULL, NULL);
        answered++;
        accepted += status == 0;
    }
    telos_printf("TelOS: vfs: fuzz: %u random messages on a /tmp session, %u answered (%u accepted)\n", rounds, answered,
                 accepted);
    u32 got;
    ok("read after the fuzz", read_file(root, HELLO, back, sizeof back, &got));
    fail_if(got != HELLO_SIZE || memcmp(back, hello, HELLO_SIZE), "the fuzz changed /disk/docs/hello.txt");
    vfs_session_close(sess);
}

void test_vfs(void)
{
    if (!start())
        return;
    u32 root = vfs_root_ep;
    hello_text(hello);
    ok("mkdir /disk/docs", vfs_mkdir(root, "/disk/docs"));
    ok("write /disk/docs/hello.txt", write_file(root, HELLO, hello, HELLO_SIZE));
    struct vfs_stat st;
    ok("stat /disk/docs/hello.txt", vfs_stat(root, "/disk/docs/./hello.txt", &st));
    telos_printf("TelOS: vfs: %s is a %s of %u bytes\n", HELLO, st.type == VFS_TYPE_FILE ? "file" : "non-file",
                 (u32)st.size);
    u32 got;
    ok("read it back", read_file(root, "//disk/docs/../docs/hello.txt", back, sizeof back, &got));
    fail_if(got != HELLO_SIZE || memcmp(back, hello, HELLO_SIZE), "read back other bytes");
    tmp_and_tree(root);
    read_padding(root);
    nested_ro(root);
    confinement(root);
    malformed(root);
    fuzz(root);
    quotas(root);
    ok("sync", vfs_sync(root));
    if (failures)
        telos_printf("TelOS: vfs test FAILED (%u)\n", failures);
    else
        telos_print("TelOS: vfs test passed\n");
}

void test_vfs_verify(void)
{
    if (!start())
        return;
    u32 root = vfs_root_ep, got;
    hello_text(hello);
    ok("read /disk/docs/hello.txt", read_file(root, HELLO, back, sizeof back, &got));
    bool same = got == HELLO_SIZE && !memcmp(back, hello, HELLO_SIZE);
    telos_printf("TelOS: vfs-verify: %s: %u bytes, %s\n", HELLO, got, same ? "as written" : "DIFFERENT");
    fail_if(!same, "the file read back differs");
    u64 cookie = 0;
    bool end = false;
    struct vfs_entry e;
    ok("list /tmp", vfs_readdir(root, "/tmp", &cookie, &e, &end));
    telos_printf("TelOS: vfs-verify: /tmp is %s\n", end ? "empty" : "NOT empty");
    fail_if(!end, "/tmp kept a file across the reboot");
    if (failures)
        telos_printf("TelOS: vfs-verify test FAILED (%u)\n", failures);
    else
        telos_print("TelOS: vfs-verify test passed\n");
}

/* vfs-bench: 4 MiB written and read sequentially through vfs_server to /disk (ext2 on
 * hdb) and, when hdb's last eighth holds them, to the raw device /dev/hdb-raw, against the
 * same through a block session of the block server alone (on hda), in the same run; TSC
 * cycles and their ratio. */
void test_vfs_bench(void)
{
    if (!start())
        return;
    const u32 bytes = ktest_arg("mib=", 4) << 20;
    u32 sizes[2];
    block_disks(sizes);
    if (sizes[0] < bytes / BLOCK_SECTOR) {
        telos_print("TelOS: vfs-bench test FAILED (disk 0 is smaller than the run)\n");
        return;
    }
    u32 pt = object_alloc(TELOS_OBJ_PAGE_TABLE, 0), ep;
    check("bench buffer's page table", TELOS_INVOKE(pt, TELOS_PAGE_TABLE_MAP, TELOS_SLOT_VSPACE, 0x50000000u));
    check("bench block session", block_open(0, 0, bytes / BLOCK_SECTOR, true, TELOS_SLOT_VSPACE, 0x50000000u, &ep));
    struct block_session s;
    check("session info", block_session_init(&s, ep, (void *)0x50000000u));
    static u8 chunk[64 * 1024];
    for (u32 i = 0; i < sizeof chunk; i++)
        chunk[i] = (u8)(i * 13 + 5);
    const u32 step = sizeof chunk;
    telos_print("TelOS: vfs-bench: block-write start\n");
    u64 t0 = telos_rdtsc();
    for (u32 off = 0; off < bytes; off += step)
        check("block write", block_write(&s, off / BLOCK_SECTOR, step / BLOCK_SECTOR, chunk));
    check("block flush", block_flush(&s));
    u64 t1 = telos_rdtsc();
    telos_print("TelOS: vfs-bench: block-write end\nTelOS: vfs-bench: block-read start\n");
    t1 = telos_rdtsc();
    for (u32 off = 0; off < bytes; off += step)
        check("block read", block_read(&s, off / BLOCK_SECTOR, step / BLOCK_SECTOR, chunk));
    u64 t2 = telos_rdtsc();
    telos_print("TelOS: vfs-bench: block-read end\nTelOS: vfs-bench: vfs-write start\n");
    t2 = telos_rdtsc();
    struct vfs_file f;
    ok("create /disk/bench.bin", vfs_open(vfs_root_ep, "/disk/bench.bin", VFS_O_WRITE | VFS_O_CREATE | VFS_O_TRUNC, &f));
    for (u32 off = 0; off < bytes && !failures; off += step)
        ok("vfs write", vfs_write(&f, chunk, step));
    ok("close (synced)", vfs_close(&f));
    u64 t3 = telos_rdtsc();
    telos_print("TelOS: vfs-bench: vfs-write end\nTelOS: vfs-bench: vfs-read start\n");
    t3 = telos_rdtsc();
    ok("open /disk/bench.bin", vfs_open(vfs_root_ep, "/disk/bench.bin", VFS_O_READ, &f));
    u32 got, total = 0;
    for (u32 off = 0; off < bytes && !failures; off += step) {
        ok("vfs read", vfs_read(&f, chunk, step, &got));
        total += got;
    }
    vfs_close(&f);
    u64 t4 = telos_rdtsc();
    telos_print("TelOS: vfs-bench: vfs-read end\n");
    fail_if(total != bytes, "read back fewer bytes");
    for (u32 i = 0; i < sizeof chunk; i++)
        fail_if(chunk[i] != (u8)(i * 13 + 5) && !failures, "read back other bytes");
    /* The same through the raw device file, when hdb's eighth holds the run. */
    struct vfs_stat st;
    u64 t5 = 0, t6 = 0, t7 = 0;
    if (!vfs_stat(vfs_root_ep, "/dev/hdb-raw", &st) && st.size >= bytes) {
        telos_print("TelOS: vfs-bench: dev-write start\n");
        t5 = telos_rdtsc();
        ok("open /dev/hdb-raw", vfs_open(vfs_root_ep, "/dev/hdb-raw", VFS_O_WRITE, &f));
        for (u32 off = 0; off < bytes && !failures; off += step)
            ok("device write", vfs_write(&f, chunk, step));
        ok("close (flushed)", vfs_close(&f));
        t6 = telos_rdtsc();
        telos_print("TelOS: vfs-bench: dev-write end\nTelOS: vfs-bench: dev-read start\n");
        t6 = telos_rdtsc();
        ok("open /dev/hdb-raw", vfs_open(vfs_root_ep, "/dev/hdb-raw", VFS_O_READ, &f));
        total = 0;
        for (u32 off = 0; off < bytes && !failures; off += step) {
            ok("device read", vfs_read(&f, chunk, step, &got));
            total += got;
        }
        vfs_close(&f);
        t7 = telos_rdtsc();
        telos_print("TelOS: vfs-bench: dev-read end\n");
        fail_if(total != bytes, "read back fewer bytes from the device");
        for (u32 i = 0; i < sizeof chunk; i++)
            fail_if(chunk[i] != (u8)(i * 13 + 5) && !failures, "read back other bytes from the device");
    }
    u32 bw = (u32)((t1 - t0) >> 10), br = (u32)((t2 - t1) >> 10), vw = (u32)((t3 - t2) >> 10),
        vr = (u32)((t4 - t3) >> 10);
    telos_printf("TelOS: vfs-bench: %u MiB sequential, in 1024s of TSC cycles: block server write %u, read %u; "
                 "vfs_server write %u, read %u; ratio write %u.%02u, read %u.%02u\n",
                 bytes >> 20, bw, br, vw, vr, vw / (bw / 100 + 1) / 100, vw / (bw / 100 + 1) % 100,
                 vr / (br / 100 + 1) / 100, vr / (br / 100 + 1) % 100);
    if (t7) {
        u32 dw = (u32)((t6 - t5) >> 10), dr = (u32)((t7 - t6) >> 10);
        telos_printf("TelOS: vfs-bench: through /dev/hdb-raw, in 1024s of TSC cycles: write %u, read %u; ratio to the "
                     "block server write %u.%02u, read %u.%02u\n",
                     dw, dr, dw / (bw / 100 + 1) / 100, dw / (bw / 100 + 1) % 100, dr / (br / 100 + 1) / 100,
                     dr / (br / 100 + 1) % 100);
    }
    if (failures)
        telos_printf("TelOS: vfs-bench test FAILED (%u)\n", failures);
    else
        telos_print("TelOS: vfs-bench test passed\n");
}
