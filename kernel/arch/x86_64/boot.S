/*
 * boot.S: the multiboot (v1) entry.  QEMU's -kernel loader enters _start
 * in 32-bit protected mode, paging off, with the magic in %eax and the
 * multiboot information in %ebx.  This stub zeroes .bss, builds page
 * tables that identity map the first 4 GiB with 2 MiB pages (3-4 GiB,
 * the PCI/APIC hole, uncached), enters long mode and calls
 * kmain(magic, info) on the boot stack.  Assumes the image is linked
 * and loaded below 4 GiB (kernel.ld: at 1 MiB).
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-aligned modules, memory map */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .boot32, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, %esi
	movl %ebx, %ebp
	/* Zero .bss (page tables and boot stack live there). */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl %esi, mb_magic
	movl %ebp, mb_info
	movl $boot_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..PD3. */
	movl $boot_pdpt, %eax
	orl $3, %eax
	movl %eax, boot_pml4
	movl $boot_pd, %eax
	orl $3, %eax
	movl $boot_pdpt, %edi
	movl $4, %ecx
1:	movl %eax, (%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 1b
	/* 2048 2 MiB pages: P|RW|PS, plus PWT|PCD from 3 GiB up. */
	movl $boot_pd, %edi
	xorl %ebx, %ebx
2:	movl %ebx, %eax
	shll $21, %eax
	orl $0x83, %eax
	cmpl $1536, %ebx
	jb 3f
	orl $0x18, %eax
3:	movl %eax, (%edi)
	movl %ebx, %eax
	shrl $11, %eax
	movl %eax, 4(%edi)
	addl $8, %edi
	incl %ebx
	cmpl $2048, %ebx
	jb 2b

	movl %cr4, %eax
	orl $0x20, %eax		/* PAE */
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx	/* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax	/* PG | WP | PE */
	movl %eax, %cr0
	lgdt gdt_ptr32
	ljmp $0x08, $long_entry

	.code64
long_entry:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	xorq %rbp, %rbp
	movl mb_magic(%rip), %edi
	movl mb_info(%rip), %esi
	call kmain
4:	cli
	hlt
	jmp 4b

	.section .data
	.align 16
	.globl gdt
gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF	/* 0x08: 64-bit code */
	.quad 0x00CF92000000FFFF	/* 0x10: data */
	.quad 0, 0			/* 0x18: TSS (trap.c fills it) */
gdt_end:
gdt_ptr32:
	.word gdt_end - gdt - 1
	.long gdt
	.globl mb_magic, mb_info
mb_magic:
	.long 0
mb_info:
	.long 0

	.section .bss
	.align 4096
	.globl boot_pml4
boot_pml4:
	.space 4096
boot_pdpt:
	.space 4096
boot_pd:
	.space 4 * 4096
	.align 16
	.globl boot_stack_top
boot_stack:
	.space 65536
boot_stack_top:
