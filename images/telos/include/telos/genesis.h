/* The genesis object graph the root task builds in the PS on an empty disk (the Phase 3
 * plan's primordial prototypes, traits and servers, as the World's src/world/genesis.ts
 * has them), at fixed oids so every program and the host can find them. user/genesis.c
 * builds and validates it; src/machine reads these numbers from this file.
 *
 *   1  lobby          the root mapping: parent* defaultBehavior, then a slot per prototype
 *   2  defaultBehavior  clone, printString, ==
 *   3  BaseObject     parent* defaultBehavior
 *   4  Process        a clone of BaseObject: tcbCap, cspaceCap, vspaceCap (capabilities),
 *                     priority, spawn, terminate, setPriority
 *   5  Server         a clone of Process: + endpointCap, mainLoop
 *   6  MemoryRegion   a clone of BaseObject: cap, size, permissions
 *   7  Callable, 8 Transactional, 9 Schedulable   traits
 *   10 PS, 11 MMS, 12 PMS   clones of Server using Callable and Transactional, their
 *                     capability slots holding the root task's caps to the server's
 *                     thread, CSpace, VSpace and endpoint; the MMS's `memory` names the
 *                     untyped memory delegated to it
 *   13 traits         a slot per trait
 *   14 processes      a slot `name@oid` per process the PMS created
 *   15 images         a slot per program image, by name
 *   16 MMS memory     a MemoryRegion clone: the MMS's untyped capability
 *   20 test_proc      its process object (written by the PMS: parent* Process)
 *   21 test_proc's program image: name, size, chunks (a list of blob oids from 22) */
#ifndef TELOS_GENESIS_H
#define TELOS_GENESIS_H

#define GENESIS_LOBBY            1
#define GENESIS_DEFAULT_BEHAVIOR 2
#define GENESIS_BASE_OBJECT      3
#define GENESIS_PROCESS          4
#define GENESIS_SERVER           5
#define GENESIS_MEMORY_REGION    6
#define GENESIS_CALLABLE         7
#define GENESIS_TRANSACTIONAL    8
#define GENESIS_SCHEDULABLE      9
#define GENESIS_PS               10
#define GENESIS_MMS              11
#define GENESIS_PMS              12
#define GENESIS_TRAITS           13
#define GENESIS_PROCESSES        14
#define GENESIS_IMAGES           15
#define GENESIS_MMS_MEMORY       16
#define GENESIS_TEST_PROC        20
#define GENESIS_TEST_PROC_IMAGE  21
#define GENESIS_FIRST_CHUNK      22
#define GENESIS_FIRST_FREE       1000 /* oids from here are free for processes and clients */

#endif
