/*
 * fuzz-config.c - libFuzzer target for the nsbox_config builder.
 *
 * The input is a program: each step takes an opcode byte and then the
 * arguments it needs from the following bytes (integers little-endian,
 * strings as a length byte and bytes, where length 255 means NULL and 254
 * a string longer than any limit). Every builder call of the public API is
 * reachable, with NULL, negative, huge and random values, on a real
 * configuration and (opcode bit 7) on a NULL one. After the program the
 * configuration is freed; ASan reports leaks, overflows and
 * use-after-free, UBSan undefined behaviour.
 *
 * Invariants checked (abort, so the fuzzer keeps the input):
 *  - every call returns 0 or one of the errors its documentation lists;
 *  - a call with a NULL configuration returns -EINVAL;
 *  - nsbox_last_error() is never NULL and is a string shorter than 512.
 *
 * Validation across settings is reached through nsbox_config_check() (an
 * opcode of its own, and once more before the free), which must return 0,
 * -EINVAL, -EOPNOTSUPP or -EBADF (a closed add_fd source) and never crash on any combination the builder
 * accepted.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsbox.h"

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static uint64_t u64n(struct in *in, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)u8(in) << (8 * i);
	return v;
}

static uint32_t u32(struct in *in)
{
	/* bias towards edges: 0, 1, -1, small, and raw */
	switch (u8(in) & 7) {
	case 0:
		return 0;
	case 1:
		return UINT32_MAX;
	case 2:
		return u8(in);
	case 3:
		return UINT32_MAX - u8(in);
	default:
		return (uint32_t)u64n(in, 4);
	}
}

static uint64_t u64(struct in *in)
{
	switch (u8(in) & 3) {
	case 0:
		return 0;
	case 1:
		return UINT64_MAX - u8(in);
	default:
		return u64n(in, 8);
	}
}

/* Strings live in a small pool so that pointers stay valid for the call. */
static char pool[2][256];
static char huge[70000];

static const char *str(struct in *in, int slot)
{
	uint8_t len = u8(in);

	if (len == 255)
		return NULL;
	if (len == 254)
		return huge; /* longer than any limit (hostnames, paths) */
	for (int i = 0; i < len; i++)
		pool[slot][i] = (char)u8(in);
	pool[slot][len] = '\0'; /* embedded NULs just end it early */
	return pool[slot];
}

/* A path: NULL, raw bytes, "/" + bytes, or one over PATH_MAX. */
static char path_buf[2][300];
static char long_path[8200];

static const char *path(struct in *in, int slot)
{
	uint8_t how = u8(in);
	const char *s;

	switch (how & 3) {
	case 0:
		return NULL;
	case 1:
		return str(in, slot);
	case 2:
		s = str(in, slot);
		snprintf(path_buf[slot], sizeof(path_buf[slot]), "/%s", s ? s : "");
		return path_buf[slot];
	default:
		return long_path;
	}
}

static const char *argv_pool[70000];
static char vec_str[2][8][64];
static const char *vec_ptr[2][9];

/* A NULL-terminated vector (or NULL); sometimes over the 65536 limit. */
static const char *const *vec(struct in *in, int slot)
{
	uint8_t n = u8(in);

	if (n == 255)
		return NULL;
	if (n == 254) {
		for (int i = 0; i < 65537; i++)
			argv_pool[i] = "";
		argv_pool[65537] = NULL;
		return argv_pool;
	}
	n %= 8;
	for (int i = 0; i < n; i++) {
		uint8_t len = u8(in) % 63;

		for (int j = 0; j < len; j++)
			vec_str[slot][i][j] = (char)u8(in);
		vec_str[slot][i][len] = '\0';
		vec_ptr[slot][i] = vec_str[slot][i];
	}
	vec_ptr[slot][n] = NULL;
	return vec_ptr[slot];
}

static int cb(void *arg)
{
	(void)arg;
	return 0;
}

static int hook(int32_t pid, int32_t pidfd, void *arg)
{
	(void)pid;
	(void)pidfd;
	(void)arg;
	return 0;
}

static _Alignas(16) unsigned char stack_buf[1 << 17];
static uint64_t filter_buf[4097];
static uint32_t groups_buf[65537];

static void check(int r, const int *allowed, const char *what)
{
	const char *e = nsbox_last_error();

	if (!e || strnlen(e, 600) >= 512) {
		fprintf(stderr, "%s: nsbox_last_error() is NULL or unterminated\n", what);
		abort();
	}
	if (r == 0)
		return;
	for (const int *a = allowed; *a; a++)
		if (r == *a)
			return;
	fprintf(stderr, "%s returned %d (%s), not a documented value; last error \"%s\"\n", what, r,
	        r < 0 ? strerror(-r) : "positive", e);
	abort();
}

#define E(...) ((const int[]){ __VA_ARGS__, 0 })

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	nsbox_config *real = NULL;
	int steps = 0;

	if (huge[0] == 0) {
		memset(huge, 'h', sizeof(huge) - 1);
		for (size_t i = 0; i + 1 < sizeof(long_path); i++)
			long_path[i] = i % 100 == 0 ? '/' : 'p';
	}
	if (nsbox_config_new(&real) != 0)
		abort();
	check(nsbox_config_new(NULL), E(-EINVAL), "nsbox_config_new(NULL)");

	while (in.n && steps++ < 256) {
		uint8_t op = u8(&in);
		nsbox_config *cfg = (op & 0x80) ? NULL : real;
		const int *nullonly = E(-EINVAL);
		int r;

#define CALL(call, errs)                                                      \
	do {                                                                  \
		r = (call);                                                   \
		check(r, cfg ? (errs) : nullonly, #call);                     \
	} while (0)

		switch (op & 0x7f) {
		case 0:
			CALL(nsbox_config_set_namespaces(cfg, u32(&in)), E(-EINVAL));
			break;
		case 1:
			CALL(nsbox_config_set_hostname(cfg, str(&in, 0)), E(-EINVAL, -ENAMETOOLONG, -ENOMEM));
			break;
		case 2:
			CALL(nsbox_config_set_domainname(cfg, str(&in, 0)), E(-EINVAL, -ENAMETOOLONG, -ENOMEM));
			break;
		case 3: {
			uint32_t a = u32(&in), b = u32(&in), c = u32(&in);
			CALL(nsbox_config_add_uid_map(cfg, a, b, c), E(-EINVAL, -EOVERFLOW, -E2BIG, -ENOMEM));
			break;
		}
		case 4: {
			uint32_t a = u32(&in), b = u32(&in), c = u32(&in);
			CALL(nsbox_config_add_gid_map(cfg, a, b, c), E(-EINVAL, -EOVERFLOW, -E2BIG, -ENOMEM));
			break;
		}
		case 5:
			CALL(nsbox_config_set_setgroups(cfg, u32(&in)), E(-EINVAL));
			break;
		case 6:
			CALL(nsbox_config_map_caller(cfg, u32(&in)), E(-EINVAL, -ENOMEM));
			break;
		case 7: {
			const char *path = str(&in, 0);
			const char *const *argv = vec(&in, 0);
			const char *const *envp = vec(&in, 1);
			CALL(nsbox_config_set_exec(cfg, path, argv, envp), E(-EINVAL, -E2BIG, -ENOMEM));
			break;
		}
		case 8:
			CALL(nsbox_config_set_callback(cfg, (u8(&in) & 1) ? cb : NULL, (void *)(uintptr_t)u64(&in)),
			     E(-EINVAL));
			break;
		case 9: {
			/* a pointer into a real buffer, or NULL, or a misaligned one */
			uint8_t how = u8(&in);
			size_t off = (size_t)u8(&in), sz = (size_t)u64(&in);
			void *s = how & 1 ? NULL : stack_buf + off;
			if ((how & 6) == 0)
				sz %= sizeof(stack_buf) - off + 1;
			CALL(nsbox_config_set_stack(cfg, s, sz), E(-EINVAL));
			break;
		}
		case 10:
			CALL(nsbox_config_set_stack_size(cfg, (size_t)u64(&in)), E(-EINVAL));
			break;
		case 11:
			CALL(nsbox_config_set_propagation(cfg, u32(&in)), E(-EINVAL));
			break;
		case 12:
			CALL(nsbox_config_set_mount_proc(cfg, (int32_t)u32(&in)), E(-EINVAL));
			break;
		case 13: {
			int32_t fd = (int32_t)u32(&in);
			CALL(nsbox_config_join(cfg, fd, u32(&in)), E(-EINVAL, -E2BIG));
			break;
		}
		case 14: {
			int32_t pid = (int32_t)u32(&in);
			CALL(nsbox_config_join_pid(cfg, pid, u32(&in)), E(-EINVAL, -E2BIG));
			break;
		}
		case 15: {
			const char *path = str(&in, 0);
			CALL(nsbox_config_join_path(cfg, path, u32(&in)), E(-EINVAL, -E2BIG, -ENOMEM));
			break;
		}
		case 16:
			CALL(nsbox_config_set_exit_signal(cfg, (int32_t)u32(&in)), E(-EINVAL));
			break;
		case 17:
			CALL(nsbox_config_set_flags(cfg, u32(&in)), E(-EINVAL));
			break;
		case 18: {
			uint32_t a = u32(&in), b = u32(&in);
			CALL(nsbox_config_set_ids(cfg, a, b), E(-EINVAL, -ENOMEM));
			break;
		}
		case 19: {
			/* a buffer of 65537 gids: a larger count (how & 2) must be
			 * refused before anything is read (ASan would see it) */
			uint8_t how = u8(&in);
			uint32_t count = u32(&in);
			const uint32_t *g = how & 1 ? NULL : groups_buf;

			if (g && !(how & 2))
				count %= 65538;
			for (uint32_t i = 0; g && i < 8 && i < count && i < 65537; i++)
				groups_buf[i] = (uint32_t)u64n(&in, 4);
			CALL(nsbox_config_set_groups(cfg, g, count), E(-EINVAL, -E2BIG, -ENOMEM));
			break;
		}
		case 20:
			CALL(nsbox_config_set_caps(cfg, u64(&in)), E(-EINVAL, -ENOMEM));
			break;
		case 21:
			CALL(nsbox_config_set_no_new_privs(cfg, (int32_t)u32(&in)), E(-EINVAL, -ENOMEM));
			break;
		case 22: {
			/* a buffer of 4097 instructions, the same idea */
			uint8_t how = u8(&in);
			uint32_t count = u32(&in);
			const void *f = how & 1 ? NULL : filter_buf;

			if (f && !(how & 2))
				count %= 4098;
			for (uint32_t i = 0; f && i < 8 && i < count && i < 4097; i++)
				filter_buf[i] = u64n(&in, 8);
			CALL(nsbox_config_set_seccomp(cfg, f, count), E(-EINVAL, -E2BIG, -ENOMEM));
			break;
		}
		case 23:
			CALL(nsbox_config_set_cgroup(cfg, str(&in, 0)), E(-EINVAL, -ENOMEM));
			break;
		case 24: {
			uint32_t clock = u32(&in);
			int64_t s = (int64_t)u64(&in), ns = (int64_t)u64(&in);
			CALL(nsbox_config_set_time_offset(cfg, clock, s, ns), E(-EINVAL));
			break;
		}
		case 25:
			CALL(nsbox_config_set_parent_hook(cfg, (u8(&in) & 1) ? hook : NULL, (void *)(uintptr_t)u64(&in)),
			     E(-EINVAL));
			break;
		case 26:
			/* free and start over: double frees and stale pointers show */
			nsbox_config_free(real);
			real = NULL;
			if (nsbox_config_new(&real) != 0)
				abort();
			break;
		/* ---- filesystem ---- */
		case 27: {
			const char *a = path(&in, 0), *b = path(&in, 1);
			CALL(nsbox_config_add_bind(cfg, a, b, u32(&in)), E(-EINVAL, -ENAMETOOLONG, -E2BIG, -ENOMEM));
			break;
		}
		case 28: {
			const char *a = path(&in, 0);
			uint64_t sz = u64(&in);
			CALL(nsbox_config_add_tmpfs(cfg, a, sz, u32(&in)), E(-EINVAL, -ENAMETOOLONG, -E2BIG, -ENOMEM));
			break;
		}
		case 29:
			CALL(nsbox_config_add_proc(cfg, path(&in, 0)), E(-EINVAL, -ENAMETOOLONG, -E2BIG, -ENOMEM));
			break;
		case 30:
			CALL(nsbox_config_add_sysfs(cfg, path(&in, 0)), E(-EINVAL, -ENAMETOOLONG, -E2BIG, -ENOMEM));
			break;
		case 31:
			CALL(nsbox_config_add_dev(cfg, path(&in, 0)), E(-EINVAL, -ENAMETOOLONG, -E2BIG, -ENOMEM));
			break;
		case 32:
			CALL(nsbox_config_add_mqueue(cfg, path(&in, 0)), E(-EINVAL, -ENAMETOOLONG, -E2BIG, -ENOMEM));
			break;
		case 33: {
			const char *a = path(&in, 0);
			CALL(nsbox_config_add_dir(cfg, a, u32(&in)), E(-EINVAL, -ENAMETOOLONG, -E2BIG, -ENOMEM));
			break;
		}
		case 34: {
			const char *a = str(&in, 0), *b = path(&in, 1);
			CALL(nsbox_config_add_symlink(cfg, a, b), E(-EINVAL, -ENAMETOOLONG, -E2BIG, -ENOMEM));
			break;
		}
		case 35: {
			/* data: a 4096-byte buffer, or NULL with any length (which must
			 * be refused without a read) */
			static unsigned char data[4096];
			const char *a = path(&in, 0);
			uint8_t how = u8(&in);
			size_t len = (size_t)u64(&in);
			const void *d = how & 1 ? NULL : data;

			if (d)
				len %= sizeof(data) + 1;
			CALL(nsbox_config_add_file(cfg, a, d, len, u32(&in)), E(-EINVAL, -ENAMETOOLONG, -E2BIG, -ENOMEM));
			break;
		}
		case 36:
			CALL(nsbox_config_add_remount_ro(cfg, path(&in, 0)), E(-EINVAL, -ENAMETOOLONG, -E2BIG, -ENOMEM));
			break;
		case 37: {
			const char *a = path(&in, 0);
			CALL(nsbox_config_set_root(cfg, a, u32(&in)), E(-EINVAL, -ENAMETOOLONG, -ENOMEM));
			break;
		}
		case 38:
			CALL(nsbox_config_clear_mounts(cfg), E(-EINVAL));
			break;
		/* ---- network ---- */
		case 39:
			CALL(nsbox_config_set_loopback(cfg, (int32_t)u32(&in)), E(-EINVAL, -ENOMEM));
			break;
		case 40: {
			const char *a = str(&in, 0), *b = str(&in, 1);
			CALL(nsbox_config_add_veth(cfg, a, b), E(-EINVAL, -EEXIST, -E2BIG, -ENOMEM));
			break;
		}
		case 41: {
			const char *a = str(&in, 0), *b = str(&in, 1);
			CALL(nsbox_config_add_address(cfg, a, b), E(-EINVAL, -ENODEV, -EEXIST, -E2BIG, -ENOMEM));
			break;
		}
		/* ---- process ---- */
		case 43:
			CALL(nsbox_config_set_init(cfg, (int32_t)u32(&in)), E(-EINVAL, -ENOMEM));
			break;
		case 44:
			CALL(nsbox_config_set_die_with_parent(cfg, (int32_t)u32(&in)), E(-EINVAL, -ENOMEM));
			break;
		case 45:
			CALL(nsbox_config_set_session(cfg, u32(&in)), E(-EINVAL, -ENOMEM));
			break;
		case 46:
			CALL(nsbox_config_set_cwd(cfg, path(&in, 0)), E(-EINVAL, -ENAMETOOLONG, -ENOMEM));
			break;
		case 47:
			CALL(nsbox_config_clearenv(cfg), E(-EINVAL, -ENOMEM));
			break;
		case 48: {
			const char *a = str(&in, 0), *b = str(&in, 1);
			CALL(nsbox_config_setenv(cfg, a, b), E(-EINVAL, -E2BIG, -ENOMEM));
			break;
		}
		case 49: {
			int32_t a = (int32_t)u32(&in), b = (int32_t)u32(&in);
			CALL(nsbox_config_add_fd(cfg, a, b), E(-EINVAL, -E2BIG, -ENOMEM));
			break;
		}
		case 50:
			CALL(nsbox_config_set_close_fds(cfg, (int32_t)u32(&in)), E(-EINVAL, -ENOMEM));
			break;
		case 51: {
			uint32_t res = u32(&in);
			uint64_t soft = u64(&in), hard = u64(&in);
			CALL(nsbox_config_add_rlimit(cfg, res, soft, hard), E(-EINVAL, -ENOMEM));
			break;
		}
		case 52:
			CALL(nsbox_config_set_signal_mask(cfg, u64(&in)), E(-EINVAL, -ENOMEM));
			break;
		case 53:
			CALL(nsbox_config_set_signal_reset(cfg, (int32_t)u32(&in)), E(-EINVAL, -ENOMEM));
			break;
		/* ---- validation ---- */
		case 42:
			CALL(nsbox_config_check(cfg), E(-EINVAL, -EOPNOTSUPP, -EBADF));
			break;
		default:
			break;
		}
#undef CALL
	}
	check(nsbox_config_check(real), E(-EINVAL, -EOPNOTSUPP, -EBADF), "nsbox_config_check (at the end)");
	check(nsbox_config_check(NULL), E(-EINVAL), "nsbox_config_check(NULL)");
	nsbox_config_free(real);
	nsbox_config_free(NULL);
	return 0;
}
