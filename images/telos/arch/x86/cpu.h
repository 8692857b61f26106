/* x86 protected-mode definitions shared by the arch code and the kernel: segment
 * selectors, the saved user register context, and the entry points in trap.S. */
#ifndef TELOS_X86_CPU_H
#define TELOS_X86_CPU_H

#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_USER_CODE   0x1B
#define SEL_USER_DATA   0x23
#define SEL_TSS         0x28

#define EFLAGS_IF       0x200
#define EFLAGS_RESERVED 0x002

#define IRQ_BASE        32
#define IRQ_TIMER       0

#ifndef __ASSEMBLER__
#include <telos/types.h>

/* A thread's registers as the trap stubs save them, lowest address first. The CPU pushes
 * eip..ss, the stub the rest. For user threads the frame is written straight into the
 * TCB: the TSS's esp0 points just past the current thread's context. */
struct user_context {
    u32 gs, fs, es, ds;
    u32 edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;
    u32 vector, error;
    u32 eip, cs, eflags, esp, ss;
};

void gdt_init(void);
extern u32 *tss_esp0; /* where the CPU saves a user thread's registers on entry */
static inline void tss_set_kernel_stack(u32 esp0) { *tss_esp0 = esp0; }
void tss_io_set(u32 first, u32 last, bool open); /* the TSS I/O permission bitmap */
void idt_init(void);
void pic_init(void);
void pit_init(u32 hz);
void pic_eoi(u32 irq);
bool pic_spurious(u32 irq);
void pic_mask(u32 irq);
void pic_unmask(u32 irq);

/* trap.S */
__attribute__((noreturn)) void restore_context(struct user_context *ctx);
void idle_loop(void);
extern u8 kernel_stack_top[];

static inline u32 read_cr2(void) { u32 v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline u32 read_cr3(void) { u32 v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void write_cr3(u32 v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void invlpg(u32 va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }
#endif
#endif
