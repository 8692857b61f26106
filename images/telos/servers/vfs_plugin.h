/* The plugin interface of vfs_server (servers/vfs.c): a file system mounted at a
 * directory of the tree is an ops table and its state. The server has already checked
 * the session's rights and normalised the path; a plugin sees paths relative to its mount:
 * names joined by '/', no leading slash, no "." or "..", "" for the mount's root. Nodes are
 * plugin-chosen numbers, valid from lookup/open until close (open) or the next change
 * (lookup). Calls return 0 or a VFS_E* code; read and write return bytes moved or a
 * negated VFS_E* code. The server makes one call at a time. */
#ifndef TELOS_SERVERS_VFS_PLUGIN_H
#define TELOS_SERVERS_VFS_PLUGIN_H
#include <telos/types.h>
#include <telos/vfs.h>

struct vfs_node_stat {
    u32 type;   /* VFS_TYPE_* */
    u64 size;
    u32 links;
};

struct vfs_dirent {
    u32 type;
    u64 size;
    u32 name_len;
    char name[VFS_NAME_MAX + 1];
};

struct vfs_fs_stat {
    u32 block_size;
    u32 blocks, free_blocks, inodes, free_inodes;
};

struct vfs_plugin_ops {
    const char *name;
    int (*lookup)(void *fs, const char *path, u32 *node);
    int (*stat)(void *fs, u32 node, struct vfs_node_stat *st);
    /* Looks the path up (creating a regular file with VFS_O_CREATE, refusing an existing
     * one with VFS_O_EXCL, emptying it with VFS_O_TRUNC) and holds the node until close. */
    int (*open)(void *fs, const char *path, u32 flags, u32 *node);
    void (*close)(void *fs, u32 node);
    i32 (*read)(void *fs, u32 node, u64 off, void *buf, u32 n);
    i32 (*write)(void *fs, u32 node, u64 off, const void *buf, u32 n);
    /* The entry at *cookie (0 = the first; "." and ".." are not listed) into *e, *cookie
     * moved past it; returns 0, 1 at the end, or an error. */
    int (*readdir)(void *fs, u32 dir, u64 *cookie, struct vfs_dirent *e);
    int (*mkdir)(void *fs, const char *path);
    int (*unlink)(void *fs, const char *path);   /* a file, or an empty directory */
    int (*rename)(void *fs, const char *from, const char *to);
    int (*statfs)(void *fs, struct vfs_fs_stat *st);
    int (*sync)(void *fs);                        /* every change on the medium */
};

/* The plugins. */
extern const struct vfs_plugin_ops vfs_ram_ops;
void *vfs_ram_init(void);
extern const struct vfs_plugin_ops vfs_posix_ops;
/* Mounts the ext2 file system on the block session `ep` (buffer at `buffer`), making one
 * first when the disk is blank, over its first `mkfs_sectors` sectors (0: all of it);
 * prints what it did. NULL when there is none to mount. *extent: the sectors the mounted
 * file system spans from the session's first, the only ones the plugin then reads or
 * writes. `clock`: the CMOS clock's IOPort capability for file times (0: none, times are 0). */
void *vfs_posix_init(u32 ep, void *buffer, u32 clock, u32 mkfs_sectors, u32 *extent);
extern const struct vfs_plugin_ops vfs_block_ops;
/* The block session `ep` (buffer at `buffer`) as the one file `name` of its mount; NULL
 * when the session does not answer. */
void *vfs_block_init(u32 ep, void *buffer, const char *name);
extern const struct vfs_plugin_ops vfs_image_ops;
/* The PS's object graph, read through the PS endpoint `ps_ep`; NULL when it does not answer. */
void *vfs_image_init(u32 ps_ep);

#endif
