/*
 * sp_fuzz.h: the input format of the syscall proxy fuzzer (sp_fuzz.c),
 * shared with the seed generator (sp_seeds.c).
 *
 * An input's first byte selects what it drives:
 *   'U' <cwd> <url...>        rumphost_sp_parseurl; cwd byte 255 means
 *                             NULL, else '/' and (byte % 120) 'a's
 *   'B' <len> <a>\0<b>\0<c>   rumphost_sp_banner into a len-byte buffer
 *   'H' <24-byte headers...>  the pure header checks, every state/kind
 *   'E' <expect> <ops...>     a session, with SP_FUZZ_NEXPECT expected
 *                             counters (checked if SP_FUZZ_STRICT is set)
 *   anything else <ops...>    a session
 * A session is the poll thread's frame reader (sp_server.c) and the
 * workers (sp_work.c) serving one connection at a time over a fake rump
 * kernel, driven by ops:
 *   op & 7 in 0..3: [n] n bytes arrive (one read() burst); bit 3 of op
 *                   makes the kernel's rfork fail, bit 4 its newlwp
 *   op & 7 == 4:    [kind][cap lo][cap hi] a kernel thread waits for a
 *                   reply (copyin, copyinstr, anonmmap) of cap bytes
 *   op & 7 == 5:    finished waiters leave (their replies are checked)
 *   op & 7 == 6:    the peer closes (EOF); a new connection follows
 *   op & 7 == 7:    the socket fails (EIO); a new connection follows
 * The fake kernel's entropy is a counter from 0 per input, so the first
 * prefork's cookie is the bytes 0, 1, ..., 15.
 */
#ifndef SP_FUZZ_H
#define SP_FUZZ_H

#define SP_FUZZ_CHUNK  0
#define SP_FUZZ_WAITER 4
#define SP_FUZZ_REAP   5
#define SP_FUZZ_EOF    6
#define SP_FUZZ_EIO    7

#define SP_FUZZ_FAILRFORK  0x08
#define SP_FUZZ_FAILNEWLWP 0x10

/* The counters an 'E' input states, in this order. */
enum {
	SP_FUZZ_N_GUEST,    /* guest handshakes dispatched */
	SP_FUZZ_N_FORK,	    /* fork handshakes dispatched */
	SP_FUZZ_N_EXEC,	    /* exec handshakes dispatched */
	SP_FUZZ_N_SYSCALL,  /* syscall requests dispatched */
	SP_FUZZ_N_PREFORK,  /* prefork requests dispatched */
	SP_FUZZ_N_RFORK,    /* rforks the kernel did */
	SP_FUZZ_N_KSYSCALL, /* syscalls that reached the kernel */
	SP_FUZZ_N_FILLED,   /* replies delivered to waiters */
	SP_FUZZ_N_DROP,	    /* connections dropped before the input ended */
	SP_FUZZ_NEXPECT
};

#endif /* SP_FUZZ_H */
