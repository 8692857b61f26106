/* The user programs embedded in the kernel image, page aligned so the kernel can map
 * them read-only into the root task. Entry 0 is the root task. The .bin files are the
 * flat images the Makefile builds from user/. */
    .section .rodata.user_images, "a"
    .balign 4096
image_root:
    .incbin "root.bin"
image_root_end:
    .balign 4096
image_worker:
    .incbin "worker.bin"
image_worker_end:
    .balign 4096
image_block:
    .incbin "block.bin"
image_block_end:
    .balign 4096
image_ps:
    .incbin "ps.bin"
image_ps_end:
    .balign 4096
image_mms:
    .incbin "mms.bin"
image_mms_end:
    .balign 4096
image_pms:
    .incbin "pms.bin"
image_pms_end:
    .balign 4096
image_monitor:
    .incbin "monitor.bin"
image_monitor_end:
    .balign 4096
image_bridge:
    .incbin "bridge.bin"
image_bridge_end:
    .balign 4096
image_test_proc:
    .incbin "test_proc.bin"
image_test_proc_end:
    .balign 4096
image_vfs:
    .incbin "vfs.bin"
image_vfs_end:
    .balign 4096
image_spinner:
    .incbin "spinner.bin"
image_spinner_end:
    .balign 4096

.macro MODULE name, start, end
1:  .ascii "\name"
    .fill 16 - (. - 1b), 1, 0
    .long \start, \end
.endm

    .section .rodata
    .balign 4
    .globl boot_module_table, boot_module_count
boot_module_table:
    MODULE root, image_root, image_root_end
    MODULE worker, image_worker, image_worker_end
    MODULE block, image_block, image_block_end
    MODULE ps, image_ps, image_ps_end
    MODULE mms, image_mms, image_mms_end
    MODULE pms, image_pms, image_pms_end
    MODULE monitor, image_monitor, image_monitor_end
    MODULE bridge, image_bridge, image_bridge_end
    MODULE test_proc, image_test_proc, image_test_proc_end
    MODULE vfs, image_vfs, image_vfs_end
    MODULE spinner, image_spinner, image_spinner_end
boot_module_count:
    .long 11
