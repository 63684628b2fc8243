/*
 * vectors.S: the 256 IDT entry stubs and the thread switch.
 *
 * Every vector runs on an IST stack (trap.c sets them), never on the
 * interrupted stack, because the interrupted code may be SysV userland
 * ABI code (the rumphost core, rump kernels) using the 128-byte red zone
 * below %rsp, which a same-privilege interrupt push would clobber.
 *
 * Interrupts (vectors >= 32): the stub saves the registers on the IST
 * stack, then copies the whole frame onto the interrupted thread's own
 * stack *below its red zone* and runs the handler there, so the handler
 * may switch threads (preemption) and the IST stack is free again before
 * anything can re-enable interrupts.  Exceptions (< 32) stay on their IST
 * stack: they print and halt.
 *
 * The frame layout is struct trapframe (kern/kernel.h).
 */
	.text
	.code64

#define FRAME_REGS 120		/* 15 registers */
#define FRAME_SIZE 176		/* + vec, err, rip, cs, rflags, rsp, ss */

.macro SAVE_REGS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro RESTORE_REGS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
.endm

/* Vectors that push an error code themselves. */
.macro VEC n
	.align 16
vec_\n:
	.if (\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21 || \n == 29 || \n == 30)
	.else
	pushq $0
	.endif
	pushq $\n
	.if \n < 32
	jmp exc_common
	.else
	jmp intr_common
	.endif
.endm

	.globl vec_table
	.align 16
vec_start:
.altmacro
.set i, 0
.rept 256
	VEC %i
	.set i, i + 1
.endr

exc_common:
	SAVE_REGS
	cld
	movq %rsp, %rdi
	andq $-16, %rsp
	call trap_exception
1:	cli
	hlt
	jmp 1b

intr_common:
	SAVE_REGS
	cld
	/* Destination: below the interrupted %rsp's red zone, aligned. */
	movq FRAME_REGS + 40(%rsp), %rdi
	subq $128, %rdi
	andq $-16, %rdi
	subq $FRAME_SIZE, %rdi
	movq %rdi, %rbx
	movq %rsp, %rsi
	movl $(FRAME_SIZE / 8), %ecx
	rep movsq
	movq %rbx, %rsp
	movq %rsp, %rdi
	call trap_interrupt
	RESTORE_REGS
	addq $16, %rsp
	iretq

	.section .rodata
	.align 8
vec_table:
.set i, 0
.rept 256
	.quad vec_start + i * 16
	.set i, i + 1
.endr

	.text
/*
 * void cpu_switch(uint64_t *save_rsp, uint64_t new_rsp): save the
 * callee-saved registers on this stack, park %rsp in *save_rsp, resume
 * the thread whose stack is new_rsp.  FPU/SSE state is switched by the
 * caller (sched.c).  Interrupts are off.
 */
	.globl cpu_switch
cpu_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
