/*
 * ct-helpers.c - helpers of the creds / cgroup / time suites; see ct-helpers.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include "ct-helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static pid_t main_pid;
static char payload_dir[64];
static char payload_path[128];

/* ---- start-up ---- */

static void remove_payload_copy(void)
{
	if (getpid() != main_pid || !payload_dir[0])
		return;
	unlink(payload_path);
	rmdir(payload_dir);
}

/* Copy the payload program to a 0755 directory under /tmp: the build tree
 * may sit below a directory that uid 65534 cannot search. */
static void copy_payload(void)
{
	const char *src = getenv("CT_PAYLOAD");
	char buf[65536];
	int in, out;
	ssize_t n;

	if (!src || !src[0])
		return;
	snprintf(payload_dir, sizeof(payload_dir), "/tmp/nsbox-ct-XXXXXX");
	if (!mkdtemp(payload_dir)) {
		fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
		exit(1);
	}
	chmod(payload_dir, 0755);
	snprintf(payload_path, sizeof(payload_path), "%s/ct-payload", payload_dir);
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = open(payload_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (in < 0 || out < 0) {
		fprintf(stderr, "copy %s to %s: %s\n", src, payload_path, strerror(errno));
		exit(1);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			fprintf(stderr, "write %s: %s\n", payload_path, strerror(errno));
			exit(1);
		}
	close(in);
	close(out);
	atexit(remove_payload_copy);
}

void ct_init(void)
{
	nt_init();
	/* The library's exec payloads share the parent's memory until execve
	 * (clone with CLONE_VM), which valgrind cannot emulate: it aborts the
	 * whole run. These suites are checked under ASan+UBSan instead. */
	if (nt_under_valgrind())
		nt_skip("valgrind cannot run the clone flags of these suites (use -Db_sanitize=address,undefined)");
	main_pid = getpid();
	copy_payload();
}

/* ---- forked test children ---- */

void ct_drop_privileges(void)
{
	nt_drop_privileges();
	/* nt_drop_privileges() checks the effective set; these suites want the
	 * permitted one empty too (nothing to raise again). */
	NT_ASSERT(ct_status_hex(0, "CapPrm") == 0, "permitted capabilities left after dropping to %d",
	          NT_UNPRIV_ID);
}

/* ---- payloads ---- */

/* The payload program (built by meson, copied where every uid may run it). */
static const char *payload(void)
{
	NT_ASSERT(payload_path[0], "CT_PAYLOAD is not set (run the suite with meson test)");
	return payload_path;
}

void ct_cfg_payload(nsbox_config *cfg, int *rd, int *wr, const char *const *cmds)
{
	const char *argv[32];
	char fdbuf[16];
	int p[2], n = 0;

	NT_ASSERT(pipe(p) == 0, "pipe: %s", strerror(errno));
	NT_ASSERT(fcntl(p[0], F_SETFD, FD_CLOEXEC) == 0, "fcntl: %s", strerror(errno));
	snprintf(fdbuf, sizeof(fdbuf), "%d", p[1]);
	argv[n++] = "ct-payload";
	argv[n++] = fdbuf;
	while (cmds && *cmds && n < 31)
		argv[n++] = *cmds++;
	argv[n] = NULL;
	/* The strings are copied by the library. */
	NT_OK(nsbox_config_set_exec(cfg, payload(), argv, NULL));
	*rd = p[0];
	*wr = p[1];
}

nsbox_proc *ct_spawn(nsbox_config *cfg, int wr)
{
	nsbox_proc *proc = NULL;
	int r = nsbox_spawn(cfg, &proc);

	if (wr >= 0)
		close(wr);
	NT_ASSERT(r == 0, "nsbox_spawn: %d (%s): %s", r, strerror(-r), nsbox_last_error());
	NT_ASSERT(proc != NULL, "nsbox_spawn gave no process");
	return proc;
}

void ct_live_spawn(struct ct_live *l, nsbox_config *cfg, const char *const *cmds)
{
	int wr;

	ct_cfg_payload(cfg, &l->rd, &wr, cmds);
	l->proc = ct_spawn(cfg, wr);
	l->pid = nsbox_proc_pid(l->proc);
}

pid_t ct_live_ready(struct ct_live *l, nsbox_config *cfg)
{
	static const char *const cmds[] = { "ready", "wait", NULL };

	ct_live_spawn(l, cfg, cmds);
	nt_expect_ready(l->rd);
	return l->pid;
}

int ct_live_end(struct ct_live *l)
{
	int st = nt_finish(l->proc);

	close(l->rd);
	return st;
}

void ct_expect_spawn_fails(nsbox_config *cfg, int err, const char *needle)
{
	struct nt_snap s;
	nsbox_proc *proc = NULL;

	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &proc), ==, err);
	NT_ASSERT(proc == NULL, "a handle came back with a failure");
	NT_SNAP_CHECK(&s);
	if (needle)
		NT_ASSERT_CONTAINS(nsbox_last_error(), needle);
}

int ct_readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

/* ---- outside views ---- */

void ct_status(pid_t pid, const char *field, char *out, size_t size)
{
	char text[8192], key[64], *p, *end;
	size_t n;

	nt_proc_read(pid, "status", text, sizeof(text));
	snprintf(key, sizeof(key), "\n%s:", field);
	p = strstr(text, key);
	NT_ASSERT(p != NULL, "no %s line in /proc/%d/status", field, (int)pid);
	p += strlen(key);
	while (*p == '\t' || *p == ' ')
		p++;
	end = strchr(p, '\n');
	n = end ? (size_t)(end - p) : strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	snprintf(out, size, "%.*s", (int)n, p);
}

uint64_t ct_status_hex(pid_t pid, const char *field)
{
	char v[128], *end;
	unsigned long long x;

	ct_status(pid, field, v, sizeof(v));
	x = strtoull(v, &end, 16);
	NT_ASSERT(end != v, "%s is not hexadecimal: \"%s\"", field, v);
	return x;
}

long ct_status_long(pid_t pid, const char *field)
{
	char v[128], *end;
	long x;

	ct_status(pid, field, v, sizeof(v));
	x = strtol(v, &end, 10);
	NT_ASSERT(end != v, "%s is not a number: \"%s\"", field, v);
	return x;
}

int ct_cap_last(void)
{
	char buf[32];
	ssize_t r = nt_read_file("/proc/sys/kernel/cap_last_cap", buf, sizeof(buf));

	NT_ASSERT(r > 0, "read /proc/sys/kernel/cap_last_cap: %s", strerror((int)-r));
	return atoi(buf);
}

uint64_t ct_full_caps(void)
{
	int last = ct_cap_last();

	return last >= 63 ? ~(uint64_t)0 : ((uint64_t)1 << (last + 1)) - 1;
}
