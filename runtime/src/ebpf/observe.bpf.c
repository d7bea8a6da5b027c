// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// interpose's eBPF event source: one record per syscall of the traced processes, written
// at sys_exit with the bytes its pointer arguments point to, plus process events (a child,
// an exec, an exit, a signal). Observation only: nothing here changes what a program does.
//
// Which bytes to copy is not written here: user space fills the `capture` map from
// syscalls.toml (via the generated table) before attaching, one entry per syscall number.
//
// Rebuild (the object is committed beside this file; .ci/run rebuilds and compares):
//   runtime/src/ebpf/build.sh
//
// Quirks of the raw syscall tracepoints this program handles:
// - a new child's first sys_exit (its return from clone/fork) has no sys_enter: the fork
//   tracepoint marks the child `FRESH` and that exit is dropped;
// - rt_sigreturn exits with nr -1 (orig_ax was restored from the signal frame): the number
//   is taken from the saved entry;
// - a call skipped by seccomp (or a ptrace tracer) has no sys_enter: it is recorded at its
//   exit from the registers alone, flagged NO_ENTER;
// - strings are read at sys_exit, when the pages they live on have certainly been faulted
//   in by the kernel's own copy (read at sys_enter, some fail: BPF cannot fault pages in).

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;
typedef long long s64;

char LICENSE[] SEC("license") = "Dual MIT/GPL";

// The parts of kernel structures read here, relocated against the running kernel's BTF.
typedef struct {
	int counter;
} atomic_t;

typedef struct {
	unsigned long sig[1];
} sigset_t;

struct sigpending {
	sigset_t signal;
} __attribute__((preserve_access_index));

struct task_struct;

struct signal_struct {
	atomic_t live;
	struct task_struct *group_exec_task;
} __attribute__((preserve_access_index));

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
} __attribute__((preserve_access_index));

struct linux_binprm {
	const char *filename;
} __attribute__((preserve_access_index));

struct task_struct {
	struct mm_struct *mm;
	int pid;
	int tgid;
	int exit_code;
	struct signal_struct *signal;
	struct sigpending pending;
} __attribute__((preserve_access_index));

// The thread is being killed (exit_group or a fatal signal in another thread, an execve
// in another thread): the kernel queued SIGKILL to it. What its call returns now never
// reaches the program, and ptrace shows the call unfinished (`= ?`).
static __always_inline int dying(struct task_struct *task)
{
	return (BPF_CORE_READ(task, pending.signal.sig[0]) >> 8) & 1;
}

// x86_64's struct pt_regs (the syscall ABI's saved registers).
struct regs {
	u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs,
		flags, sp, ss;
};

// Record types: keep in step with runtime/src/ebpf/record.rs.
#define REC_SYSCALL 1 // a syscall that returned (or an enter-only record, see flags)
#define REC_FORK 2    // a new process or thread: tid, tgid; args[0] = parent tid
#define REC_EXEC 3    // sched_process_exec: tid; args[0] = former tid; regions: the
                      // file name (address 0) and the new program's argv strings
#define REC_EXIT 4    // sched_process_exit: ret = exit code, args[0] = group dead
#define REC_SIGNAL 5  // signal_deliver: args[0] = signal; a region holds the siginfo

// Record flags.
#define F_ENTER_ONLY 1 // the call's entry: it may never return (execve, exit, exit_group)
#define F_NO_ENTER 2   // no sys_enter was seen (seccomp or ptrace skipped it)

// Capture operations, one per argument: keep in step with runtime/src/ebpf/capture.rs.
#define OP_NONE 0
#define OP_STR 1         // a NUL-terminated string of at most `size` bytes (NUL included)
#define OP_FIXED 2       // `size` bytes
#define OP_LEN_ARG 3     // min(args[len], size) bytes
#define OP_LEN_RET 4     // min(ret, args[len], size) bytes, when ret > 0
#define OP_IOVEC 5       // args[len] iovecs, then min(iov_len, size) bytes of each
#define OP_IOVEC_RET 6   // the same, the bytes counted against ret
#define OP_SOCKADDR_OUT 7 // *(u32 *)args[len], then min(that, size) bytes
#define OP_ARGV 8        // a NULL-terminated pointer array, each string `size` bytes
#define OP_ENVP 9        // a NULL-terminated pointer array, the pointers only
#define OP_RET 10        // min(ret, size) bytes, when ret > 0 (records the kernel wrote)
// Flag on `op`: copy this argument at the call's entry record too (execve's argv).
#define OP_AT_ENTRY 0x80

// Eight slots for six arguments: an index masked with 7 stays inside the entry.
struct capture {
	u8 op[8];
	u8 len[8];
	u32 size[8];
};

struct header {
	u32 type;
	u32 flags;
	u32 tid;
	u32 tgid;
	s64 nr;
	s64 ret;
	u64 args[6];
	u64 enter_ns;
	u64 exit_ns;
	u64 sp;
	u32 regions;
	u32 size;
};

struct region {
	u64 addr;
	u32 len;
	u32 pad;
};

struct inflight {
	s64 nr;
	u64 args[6];
	u64 enter_ns;
	u64 sp;
};

// `inflight` entries that hold no call. A thread's entry stays in the map between its
// calls (rewritten in place: one lookup per sys_enter and per sys_exit, no insertion or
// deletion) and is deleted when the thread exits.
#define FRESH (-2) // a new thread, whose first sys_exit (from fork or clone) has no enter
#define IDLE (-3)  // between two calls

// Makes the compiler forget what it knows of `var`, so that a mask or bound written after
// a check stays in the code for the verifier to see.
#define forget(var) asm volatile("" : "+r"(var))

#define SCRATCH 32768
#define OFF_MASK 0x3fff  // offsets stay below 16 KiB
#define LEN_MAX 8192     // one copy is at most 8 KiB: offset + length < SCRATCH
#define MAX_IOV 16
#define MAX_ARGV 65
#define ENVP_CHUNKS 8
#define WAKE_BYTES (64 * 1024)

struct scratch {
	u8 data[SCRATCH];
};

// Words read while copying (iovecs, argv's pointers), kept off the 512-byte BPF stack.
struct work {
	u64 words[128];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct work);
} work SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, u32);
} traced SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, struct inflight);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 512);
	__type(key, u32);
	__type(value, struct capture);
} capture SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

// [0]: records lost (the ring was full); [1]: copies that failed.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

static __always_inline void tally(u32 which)
{
	u64 *n = bpf_map_lookup_elem(&stats, &which);
	if (n)
		*n += 1;
}

static __always_inline int is_traced(u32 tgid)
{
	return bpf_map_lookup_elem(&traced, &tgid) != 0;
}

// Sends `size` bytes of the scratch buffer, waking the reader only as the data waiting
// crosses WAKE_BYTES (it also polls every few milliseconds), so a busy program is not
// slowed by wake-ups: one per batch, not one per record while the reader catches up.
static __always_inline void send(struct scratch *s, u32 size)
{
	u64 flags = BPF_RB_NO_WAKEUP;
	u64 waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	if (waiting < WAKE_BYTES && waiting + size >= WAKE_BYTES)
		flags = BPF_RB_FORCE_WAKEUP;
	size &= (SCRATCH - 1);
	if (size < sizeof(struct header))
		return;
	if (bpf_ringbuf_output(&events, s->data, size, flags) != 0)
		tally(0);
}

// The copy helpers below are global functions: the verifier checks each once, on its own,
// instead of once per place it is called from (six arguments, each with loops, would
// exceed its budget). They take only numbers and find the record being built in the
// per-CPU scratch map (a BPF program does not migrate between CPUs while it runs).

static __always_inline struct scratch *scratch_here(void)
{
	u32 zero = 0;
	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline u64 *work_here(void)
{
	u32 zero = 0;
	struct work *w = bpf_map_lookup_elem(&work, &zero);
	return w ? w->words : 0;
}

// Copies `len` bytes at user `addr` as a region at `off`; returns the new end.
__attribute__((noinline)) u32 copy_bytes(u32 off, u64 addr, u64 len)
{
	struct scratch *s = scratch_here();
	if (!s || addr == 0 || len == 0 || off > OFF_MASK)
		return off;
	struct header *h = (struct header *)s->data;
	forget(off);
	off &= OFF_MASK;
	u32 at = off + sizeof(struct region);
	u32 n = len > LEN_MAX ? LEN_MAX : len;
	forget(n);
	n &= (LEN_MAX * 2 - 1);
	if (n > LEN_MAX)
		n = LEN_MAX;
	if (bpf_probe_read_user(s->data + at, n, (void *)addr) != 0) {
		tally(1);
		return off;
	}
	struct region r = { .addr = addr, .len = n };
	__builtin_memcpy(s->data + (off & OFF_MASK), &r, sizeof(r));
	h->regions++;
	return (at + n + 7) & ~7;
}

// Copies a NUL-terminated string of at most `size` bytes (NUL included). A string cut at
// `size` keeps only `size - 1` bytes and no NUL, so a reader sees that it goes on.
__attribute__((noinline)) u32 copy_str(u32 off, u64 addr, u32 size)
{
	struct scratch *s = scratch_here();
	if (!s || addr == 0 || off > OFF_MASK)
		return off;
	struct header *h = (struct header *)s->data;
	forget(off);
	off &= OFF_MASK;
	u32 at = off + sizeof(struct region);
	u32 want = size > LEN_MAX ? LEN_MAX : size;
	forget(want);
	want &= (LEN_MAX * 2 - 1);
	if (want > LEN_MAX)
		want = LEN_MAX;
	if (want < 2)
		want = 2;
	long n = bpf_probe_read_user_str(s->data + at, want, (void *)addr);
	if (n <= 0) {
		tally(1);
		return off;
	}
	u32 len = n;
	if (len >= want)
		len = want - 1; // cut: the helper wrote a NUL that is not the string's
	forget(len);
	len &= (LEN_MAX * 2 - 1);
	struct region r = { .addr = addr, .len = len };
	__builtin_memcpy(s->data + (off & OFF_MASK), &r, sizeof(r));
	h->regions++;
	return (at + len + 7) & ~7;
}

// Loops run through bpf_loop: the verifier checks a callback once, not once per turn.

struct iovec_walk {
	u32 off;
	u32 size;
	u64 count;
	s64 budget;
};

static long iovec_one(u64 i, struct iovec_walk *w)
{
	u64 *iov = work_here();
	if (!iov || i >= w->count)
		return 1;
	u64 base = iov[(2 * i) & 127];
	u64 n = iov[(2 * i + 1) & 127];
	if (w->budget >= 0 && n > (u64)w->budget)
		n = w->budget;
	if (w->budget >= 0)
		w->budget -= n;
	if (n > w->size)
		n = w->size;
	w->off = copy_bytes(w->off, base, n);
	return 0;
}

// `count` iovecs at `addr`, then at most `size` bytes of each; `budget` >= 0 counts the
// bytes that are data (a read's return value), < 0 for all of them.
__attribute__((noinline)) u32 copy_iovec(u32 off, u64 addr, u64 count, u32 size, s64 budget)
{
	u64 *iov = work_here();
	if (!iov || addr == 0 || count == 0)
		return off;
	if (count > MAX_IOV)
		count = MAX_IOV;
	u32 bytes = (count * 16) & (MAX_IOV * 16 * 2 - 1);
	if (bytes > MAX_IOV * 16)
		bytes = MAX_IOV * 16;
	if (bpf_probe_read_user(iov, bytes, (void *)addr) != 0) {
		tally(1);
		return off;
	}
	struct iovec_walk w = {
		.off = copy_bytes(off, addr, bytes),
		.size = size,
		.count = count,
		.budget = budget,
	};
	bpf_loop(MAX_IOV, iovec_one, &w, 0);
	return w.off;
}

struct argv_walk {
	u64 addr;
	u32 off;
	u32 size;
	u32 count;
};

// Reads pointer `i`; stops after the NULL or at a pointer that cannot be read (the
// array may end just before an unmapped page).
static long argv_pointer(u64 i, struct argv_walk *w)
{
	u64 *ptrs = work_here();
	if (!ptrs || bpf_probe_read_user(&ptrs[i & 127], 8, (void *)(w->addr + i * 8)) != 0)
		return 1;
	w->count = i + 1;
	return ptrs[i & 127] == 0;
}

static long argv_string(u64 i, struct argv_walk *w)
{
	u64 *ptrs = work_here();
	if (!ptrs || i >= w->count || ptrs[i & 127] == 0)
		return 1;
	w->off = copy_str(w->off, ptrs[i & 127], w->size);
	return 0;
}

// A NULL-terminated array of strings: the pointers up to the NULL, then each string.
__attribute__((noinline)) u32 copy_argv(u32 off, u64 addr, u32 size)
{
	if (addr == 0)
		return off;
	struct argv_walk w = { .addr = addr, .off = off, .size = size };
	bpf_loop(MAX_ARGV, argv_pointer, &w, 0);
	if (w.count == 0)
		return off;
	w.off = copy_bytes(off, addr, (u64)w.count * 8);
	bpf_loop(MAX_ARGV, argv_string, &w, 0);
	return w.off;
}

struct envp_walk {
	u64 addr;
	u32 off;
};

// Chunk `c` of 64 pointers; stops at the chunk holding the NULL.
static long envp_chunk(u64 c, struct envp_walk *w)
{
	u64 *chunk = work_here();
	if (!chunk)
		return 1;
	u64 at = w->addr + c * 512;
	if (bpf_probe_read_user(chunk, 512, (void *)at) != 0)
		return 1;
	w->off = copy_bytes(w->off, at, 512);
	chunk = work_here();
	if (!chunk)
		return 1;
	for (int i = 0; i < 64; i++)
		if (chunk[i] == 0)
			return 1;
	return 0;
}

// An environment is shown as its count: copy the pointers (up to 8 chunks of 64), not the
// strings.
__attribute__((noinline)) u32 copy_envp(u32 off, u64 addr)
{
	if (addr == 0)
		return off;
	struct envp_walk w = { .addr = addr, .off = off };
	bpf_loop(ENVP_CHUNKS, envp_chunk, &w, 0);
	return w.off;
}

// Copies what the table says argument `i` of the record being built points to; `entry`:
// the record is made at the call's entry (only in-arguments are copied).
__attribute__((noinline)) u32 copy_arg(u32 off, u32 i, int entry)
{
	struct scratch *s = scratch_here();
	if (!s)
		return off;
	struct header *h = (struct header *)s->data;
	u32 nr = h->nr;
	struct capture *c = bpf_map_lookup_elem(&capture, &nr);
	if (!c)
		return off;
	forget(i);
	i &= 7;
	u8 op = c->op[i];
	if (entry && !(op & OP_AT_ENTRY))
		return off;
	op &= ~OP_AT_ENTRY;
	u32 size = c->size[i];
	u8 len = c->len[i];
	forget(len);
	len &= 7;
	u64 addr = h->args[i];
	u64 n = h->args[len];
	s64 ret = h->ret;
	switch (op) {
	case OP_STR:
		return copy_str(off, addr, size);
	case OP_FIXED:
		return copy_bytes(off, addr, size);
	case OP_LEN_ARG:
		return copy_bytes(off, addr, n < size ? n : size);
	case OP_LEN_RET:
		if (entry || ret <= 0)
			return off;
		if ((u64)ret < n)
			n = ret;
		return copy_bytes(off, addr, n < size ? n : size);
	case OP_RET:
		if (entry || ret <= 0)
			return off;
		return copy_bytes(off, addr, (u64)ret < size ? (u64)ret : size);
	case OP_IOVEC:
		return copy_iovec(off, addr, n, size, -1);
	case OP_IOVEC_RET:
		if (entry || ret < 0)
			return off;
		return copy_iovec(off, addr, n, size, ret);
	case OP_SOCKADDR_OUT: {
		u32 got = 0;
		if (entry || ret < 0 || n == 0)
			return off;
		if (bpf_probe_read_user(&got, 4, (void *)n) != 0)
			return off;
		off = copy_bytes(off, n, 4);
		return copy_bytes(off, addr, got < size ? got : size);
	}
	case OP_ARGV:
		return copy_argv(off, addr, size);
	case OP_ENVP:
		return copy_envp(off, addr);
	}
	return off;
}

static __always_inline struct scratch *start(u32 type, u32 tid, u32 tgid)
{
	u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	struct header *h = (struct header *)s->data;
	__builtin_memset(h, 0, sizeof(*h));
	h->type = type;
	h->tid = tid;
	h->tgid = tgid;
	h->exit_ns = bpf_ktime_get_boot_ns();
	return s;
}

// A syscall record: the header, then what each argument points to.
static __always_inline void syscall_record(struct header *h, struct scratch *s, int entry)
{
	u32 nr = h->nr;
	u32 off = sizeof(*h);
	// The exit of a call whose entry was recorded: its memory was copied then.
	// A failed execve is copied again: its pages are the old program's, and the kernel
	// has read them (a vfork child's execve may name strings no one had touched).
	int exec = h->nr == 59 || h->nr == 322;
	int entered = (exec && h->ret == 0) || h->nr == 60 || h->nr == 231;
	struct capture *c = bpf_map_lookup_elem(&capture, &nr);
	// Most calls point to nothing worth copying (getppid, close, mmap): no copy at all.
	u64 ops = c ? *(u64 *)c->op : 0;
	if (ops && (entry || !entered)) {
		for (u32 i = 0; i < 6; i++) {
			u8 op = c->op[i];
			if (op == OP_NONE || (entry && !(op & OP_AT_ENTRY)))
				continue;
			off = copy_arg(off, i, entry);
		}
	}
	// rt_sigreturn has no argument but restores the mask saved in the signal frame at
	// the stack pointer (its ucontext's uc_sigmask, 296 bytes in), which strace shows.
	if (nr == 15 && !entry)
		off = copy_bytes(off, h->sp + 296, 8);
	// Found again: the verifier forgets what the calls above could not change.
	s = scratch_here();
	if (!s)
		return;
	h = (struct header *)s->data;
	h->size = off;
	send(s, off);
}

SEC("raw_tracepoint/sys_enter")
int sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, tid = id;
	if (!is_traced(tgid))
		return 0;
	struct regs regs;
	if (bpf_probe_read_kernel(&regs, sizeof(regs), (void *)ctx->args[0]) != 0)
		return 0;
	struct inflight in = {
		.nr = (s64)ctx->args[1],
		.args = { regs.di, regs.si, regs.dx, regs.r10, regs.r8, regs.r9 },
		.enter_ns = bpf_ktime_get_boot_ns(),
		.sp = regs.sp,
	};
	struct inflight *slot = bpf_map_lookup_elem(&inflight, &tid);
	if (slot)
		*slot = in;
	else
		bpf_map_update_elem(&inflight, &tid, &in, BPF_ANY);
	// execve, execveat, exit, exit_group: their memory is gone (or they never return).
	if (in.nr == 59 || in.nr == 322 || in.nr == 60 || in.nr == 231) {
		struct scratch *s = start(REC_SYSCALL, tid, tgid);
		if (!s)
			return 0;
		struct header *h = (struct header *)s->data;
		h->flags = F_ENTER_ONLY;
		h->nr = in.nr;
		__builtin_memcpy(h->args, in.args, sizeof(h->args));
		h->enter_ns = in.enter_ns;
		h->sp = in.sp;
		syscall_record(h, s, 1);
	}
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, tid = id;
	if (!is_traced(tgid))
		return 0;
	// A call the kill interrupted (EINTR, ERESTART*) is left in flight: sched_process_exit
	// records it unfinished. One that completed (a kill of its own process) returned.
	s64 ret = (s64)ctx->args[1];
	int interrupted = ret == -4 || (ret >= -516 && ret <= -512);
	if (interrupted && dying((struct task_struct *)bpf_get_current_task()))
		return 0;
	struct scratch *s = start(REC_SYSCALL, tid, tgid);
	if (!s)
		return 0;
	struct header *h = (struct header *)s->data;
	h->ret = (s64)ctx->args[1];
	struct inflight *in = bpf_map_lookup_elem(&inflight, &tid);
	if (in && in->nr == FRESH) {
		in->nr = IDLE;
		return 0;
	}
	if (in && in->nr != IDLE) {
		h->nr = in->nr;
		__builtin_memcpy(h->args, in->args, sizeof(h->args));
		h->enter_ns = in->enter_ns;
		h->sp = in->sp;
		in->nr = IDLE;
	} else {
		struct regs regs;
		if (bpf_probe_read_kernel(&regs, sizeof(regs), (void *)ctx->args[0]) != 0)
			return 0;
		h->flags = F_NO_ENTER;
		h->nr = (s64)regs.orig_ax;
		u64 args[6] = { regs.di, regs.si, regs.dx, regs.r10, regs.r8, regs.r9 };
		__builtin_memcpy(h->args, args, sizeof(h->args));
		h->enter_ns = h->exit_ns;
		h->sp = regs.sp;
		if (h->nr < 0)
			return 0;
	}
	syscall_record(h, s, 0);
	return 0;
}

SEC("raw_tracepoint/sched_process_fork")
int sched_process_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx->args[0];
	struct task_struct *child = (struct task_struct *)ctx->args[1];
	u32 ptgid = BPF_CORE_READ(parent, tgid);
	if (!is_traced(ptgid))
		return 0;
	u32 tid = BPF_CORE_READ(child, pid);
	u32 tgid = BPF_CORE_READ(child, tgid);
	u32 one = 1;
	// Followed from birth: the child is in the map before it runs.
	bpf_map_update_elem(&traced, &tgid, &one, BPF_ANY);
	struct inflight fresh = { .nr = FRESH };
	bpf_map_update_elem(&inflight, &tid, &fresh, BPF_ANY);
	struct scratch *s = start(REC_FORK, tid, tgid);
	if (!s)
		return 0;
	struct header *h = (struct header *)s->data;
	h->args[0] = BPF_CORE_READ(parent, pid);
	h->size = sizeof(*h);
	send(s, sizeof(*h));
	return 0;
}

SEC("raw_tracepoint/sched_process_exec")
int sched_process_exec(struct bpf_raw_tracepoint_args *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, tid = id;
	if (!is_traced(tgid))
		return 0;
	struct scratch *s = start(REC_EXEC, tid, tgid);
	if (!s)
		return 0;
	struct header *h = (struct header *)s->data;
	h->args[0] = (u32)ctx->args[1];
	h->size = sizeof(*h);
	// What execve's entry could not copy (pages of the old program no one had touched):
	// the file name the kernel kept, and the argv strings it copied onto the new stack.
	struct linux_binprm *bprm = (struct linux_binprm *)ctx->args[2];
	const char *filename = BPF_CORE_READ(bprm, filename);
	u32 off = sizeof(*h);
	u32 at = off + sizeof(struct region);
	long n = bpf_probe_read_kernel_str(s->data + at, 4096, filename);
	if (n > 0) {
		struct region r = { .addr = 0, .len = n };
		__builtin_memcpy(s->data + off, &r, sizeof(r));
		h->regions = 1;
		off = (at + n + 7) & ~7;
	}
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	u64 start_arg = BPF_CORE_READ(task, mm, arg_start);
	u64 end_arg = BPF_CORE_READ(task, mm, arg_end);
	h->size = off;
	s = 0;
	h = 0;
	if (end_arg > start_arg)
		off = copy_bytes(off, start_arg, end_arg - start_arg);
	s = scratch_here();
	if (!s)
		return 0;
	h = (struct header *)s->data;
	h->size = off;
	send(s, off);
	return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int sched_process_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	u32 tgid = BPF_CORE_READ(task, tgid);
	if (!is_traced(tgid))
		return 0;
	u32 tid = BPF_CORE_READ(task, pid);
	int live = BPF_CORE_READ(task, signal, live.counter);
	struct inflight *in = bpf_map_lookup_elem(&inflight, &tid);
	// A call the thread was still in (another thread's exit_group, a fatal signal): its
	// entry, so the trace shows it unfinished. execve, exit and exit_group have theirs.
	if (in && in->nr >= 0 && in->nr != 59 && in->nr != 322 && in->nr != 60 && in->nr != 231) {
		struct scratch *s = start(REC_SYSCALL, tid, tgid);
		if (s) {
			struct header *h = (struct header *)s->data;
			h->flags = F_ENTER_ONLY;
			h->nr = in->nr;
			__builtin_memcpy(h->args, in->args, sizeof(h->args));
			h->enter_ns = in->enter_ns;
			h->sp = in->sp;
			syscall_record(h, s, 1);
		}
	}
	bpf_map_delete_elem(&inflight, &tid);
	struct scratch *s = start(REC_EXIT, tid, tgid);
	if (!s)
		return 0;
	struct header *h = (struct header *)s->data;
	h->ret = BPF_CORE_READ(task, exit_code);
	h->args[0] = live == 0;
	// The leader of a process another thread of which executes: the executing thread
	// takes over its id and goes on (ptrace never reports this death).
	struct task_struct *exec = BPF_CORE_READ(task, signal, group_exec_task);
	h->args[1] = exec && exec != task && tid == tgid;
	h->size = sizeof(*h);
	send(s, sizeof(*h));
	// The last thread: the process is gone (user space waits for an empty map).
	if (live == 0)
		bpf_map_delete_elem(&traced, &tgid);
	return 0;
}

SEC("raw_tracepoint/signal_deliver")
int signal_deliver(struct bpf_raw_tracepoint_args *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32, tid = id;
	if (!is_traced(tgid))
		return 0;
	struct scratch *s = start(REC_SIGNAL, tid, tgid);
	if (!s)
		return 0;
	struct header *h = (struct header *)s->data;
	h->args[0] = ctx->args[0];
	struct region r = { .len = 128 };
	__builtin_memcpy(s->data + sizeof(*h), &r, sizeof(r));
	u32 off = sizeof(*h) + sizeof(r);
	if (bpf_probe_read_kernel(s->data + off, 128, (void *)ctx->args[1]) == 0) {
		h->regions = 1;
		off += 128;
	} else {
		off = sizeof(*h);
	}
	h->size = off;
	send(s, off);
	return 0;
}
