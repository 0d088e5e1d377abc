# Guest entry point for the CPU benchmark: rdi = kernel index, rsi = iteration count. Runs one
# kernel and leaves its checksum in rax at the final `syscall`, where the harness takes over.
	.section .text.start, "ax"
	.globl _start
_start:
	call run_kernel
	syscall
	ud2
	.section .note.GNU-stack, "", @progbits
