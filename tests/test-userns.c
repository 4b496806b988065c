/*
 * test-userns.c - user namespaces: uid/gid maps seen in /proc/PID/uid_map and
 * gid_map, setgroups, the guarantee that the payload never runs before its
 * maps are written, and the unprivileged paths run for real by a forked
 * test child that dropped to uid/gid 65534. Needs root (to drop).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

static void check_map_text(const char *what, const char *text, const struct nt_map_line *want,
                           int n)
{
	struct nt_map_line got[16];
	int i, k = nt_parse_map(text, got, 16);

	NT_ASSERT(k == n, "%s has %d lines, not %d:\n%s", what, k, n, text);
	for (i = 0; i < n; i++)
		NT_ASSERT(got[i].inside == want[i].inside && got[i].outside == want[i].outside &&
		              got[i].count == want[i].count,
		          "%s line %d: %u %u %u, want %u %u %u", what, i, got[i].inside,
		          got[i].outside, got[i].count, want[i].inside, want[i].outside,
		          want[i].count);
}

static void check_map(pid_t pid, const char *file, const struct nt_map_line *want, int n)
{
	char text[4096], what[64];

	nt_proc_read(pid, file, text, sizeof(text));
	snprintf(what, sizeof(what), "/proc/%d/%s", (int)pid, file);
	check_map_text(what, text, want, n);
}

static const struct nt_map_line uid_lines[] = {
	{ 0, 100000, 1000 }, { 1000, 200000, 10 }, { 5000, 300000, 1 },
};
static const struct nt_map_line gid_lines[] = {
	{ 0, 100000, 1000 }, { 2000, 400000, 5 },
};

static void add_lines(nsbox_config *cfg)
{
	int i;

	for (i = 0; i < 3; i++)
		NT_OK(nsbox_config_add_uid_map(cfg, uid_lines[i].inside, uid_lines[i].outside,
		                               uid_lines[i].count));
	for (i = 0; i < 2; i++)
		NT_OK(nsbox_config_add_gid_map(cfg, gid_lines[i].inside, gid_lines[i].outside,
		                               gid_lines[i].count));
}

/* ---- maps are written before the payload runs ------------------------------------------ */

/* The exec payload's first action is to read its own maps. */
START_TEST(test_exec_sees_maps_first)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_USER | NSBOX_NS_UTS);
	char out[4096], *gid;
	struct nt_snap s;
	nsbox_proc *p;
	int rd, st;

	add_lines(cfg);
	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "exec cat /proc/self/uid_map /proc/self/gid_map");
	nt_read_all(rd, out, sizeof(out));
	close(rd);
	st = nt_wait_free(p);
	NT_SNAP_CHECK(&s);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "cat: %s", nt_status_str(st));
	/* 3 uid lines, then 2 gid lines */
	gid = out;
	{
		int i;

		for (i = 0; i < 3 && gid; i++) {
			gid = strchr(gid, '\n');
			if (gid)
				gid++;
		}
	}
	NT_ASSERT(gid != NULL, "short output: %s", out);
	check_map_text("payload's gid_map", gid, gid_lines, 2);
	*gid = '\0';
	check_map_text("payload's uid_map", out, uid_lines, 3);
	nsbox_config_free(cfg);
}
END_TEST

struct report {
	int wr;
};

/* The callback's first action, before anything else of ours. */
static int cb_read_maps(void *arg)
{
	struct report *r = arg;
	char buf[2048];
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;

	if (n <= 0)
		return 10;
	close(fd);
	if (write(r->wr, buf, (size_t)n) != n)
		return 11;
	/* and who we are inside */
	n = snprintf(buf, sizeof(buf), "uid=%d gid=%d\n", (int)getuid(), (int)getgid());
	if (write(r->wr, buf, (size_t)n) != n)
		return 12;
	return 0;
}

START_TEST(test_callback_sees_maps_first)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_USER);
	struct report r;
	char out[4096], *who;
	int pp[2], st;
	struct nt_snap s;
	nsbox_proc *p = NULL;

	add_lines(cfg);
	NT_OK(nsbox_config_set_callback(cfg, cb_read_maps, &r));
	nt_snap_take(&s);
	NT_ASSERT(pipe2(pp, O_CLOEXEC) == 0, "pipe");
	r.wr = pp[1];
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	close(pp[1]);
	nt_read_all(pp[0], out, sizeof(out));
	close(pp[0]);
	st = nt_wait_free(p);
	NT_SNAP_CHECK(&s);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "callback: %s", nt_status_str(st));
	who = strstr(out, "uid=");
	NT_ASSERT(who != NULL, "no ids in \"%s\"", out);
	*who = '\0';
	check_map_text("callback's uid_map", out, uid_lines, 3);
	nsbox_config_free(cfg);
}
END_TEST

/* Only one of the maps: the other stays empty. */
START_TEST(test_uid_map_only)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_USER);
	char text[256];
	nsbox_proc *p;
	int rd;

	NT_OK(nsbox_config_add_uid_map(cfg, 0, 100000, 65536));
	p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	{
		static const struct nt_map_line l = { 0, 100000, 65536 };

		check_map(nsbox_proc_pid(p), "uid_map", &l, 1);
	}
	nt_proc_read(nsbox_proc_pid(p), "gid_map", text, sizeof(text));
	NT_ASSERT_STR_EQ(text, "");
	nt_finish(p);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* As root, map_caller(ROOT) maps 0 to 0 and denies setgroups. */
START_TEST(test_map_caller_as_root)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	static const struct nt_map_line l = { 0, 0, 1 };
	char sg[64];
	nsbox_proc *p;
	int rd;

	NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	nt_assert_ns_differs(nsbox_proc_pid(p), "user"); /* map_caller adds NSBOX_NS_USER */
	nt_assert_ns_differs(nsbox_proc_pid(p), "uts");
	check_map(nsbox_proc_pid(p), "uid_map", &l, 1);
	check_map(nsbox_proc_pid(p), "gid_map", &l, 1);
	nt_proc_read(nsbox_proc_pid(p), "setgroups", sg, sizeof(sg));
	NT_ASSERT_STR_EQ(nt_chomp(sg), "deny");
	nt_finish(p);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- unprivileged, for real -------------------------------------------------------------- */

static const struct nt_map_line root_line = { 0, NT_UNPRIV_ID, 1 };
static const struct nt_map_line self_line = { NT_UNPRIV_ID, NT_UNPRIV_ID, 1 };

/* The example: UTS + PID + user, mapped to root, by nobody. */
static void child_unpriv_root(void *unused)
{
	nsbox_config *cfg;
	struct nt_snap s;
	char line[256], sg[64];
	nsbox_proc *p;
	pid_t pid;
	int rd;

	(void)unused;
	nt_drop_privileges();
	cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_PID);
	NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	NT_OK(nsbox_config_set_hostname(cfg, "boxed"));
	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "echo $(hostname) $$ $(id -u) $(id -g); echo ready; exec sleep 30");
	pid = nsbox_proc_pid(p);
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
	NT_ASSERT_STR_EQ(line, "boxed 1 0 0");
	nt_expect_ready(rd);
	nt_assert_ns_differs(pid, "user");
	nt_assert_ns_differs(pid, "uts");
	nt_assert_ns_differs(pid, "pid");
	nt_assert_ns_same(pid, "net");
	check_map(pid, "uid_map", &root_line, 1);
	check_map(pid, "gid_map", &root_line, 1);
	nt_proc_read(pid, "setgroups", sg, sizeof(sg));
	NT_ASSERT_STR_EQ(nt_chomp(sg), "deny");
	nt_hostname(line, sizeof(line));
	NT_ASSERT(strcmp(line, "boxed") != 0, "the host's hostname changed");
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}

START_TEST(test_unpriv_map_root)
{
	nt_in_child(child_unpriv_root, NULL);
}
END_TEST

static void child_unpriv_self(void *unused)
{
	nsbox_config *cfg;
	struct nt_snap s;
	char line[256];
	nsbox_proc *p;
	int rd;

	(void)unused;
	nt_drop_privileges();
	cfg = nt_cfg(NSBOX_NS_MOUNT | NSBOX_NS_IPC | NSBOX_NS_NET);
	NT_OK(nsbox_config_map_caller(cfg, 0));
	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "echo $(id -u) $(id -g); echo ready; exec sleep 30");
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
	NT_ASSERT_STR_EQ(line, "65534 65534");
	nt_expect_ready(rd);
	nt_assert_ns_differs(nsbox_proc_pid(p), "user");
	nt_assert_ns_differs(nsbox_proc_pid(p), "mnt");
	nt_assert_ns_differs(nsbox_proc_pid(p), "net");
	check_map(nsbox_proc_pid(p), "uid_map", &self_line, 1);
	check_map(nsbox_proc_pid(p), "gid_map", &self_line, 1);
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}

START_TEST(test_unpriv_map_self)
{
	nt_in_child(child_unpriv_self, NULL);
}
END_TEST

/* Explicit single lines of one's own ids: the child writes them itself,
 * and setgroups defaults to deny. */
static void child_unpriv_explicit(void *unused)
{
	nsbox_config *cfg;
	char sg[64];
	nsbox_proc *p;
	int rd;

	(void)unused;
	nt_drop_privileges();
	cfg = nt_cfg(NSBOX_NS_USER | NSBOX_NS_UTS);
	NT_OK(nsbox_config_add_uid_map(cfg, 0, NT_UNPRIV_ID, 1));
	NT_OK(nsbox_config_add_gid_map(cfg, 0, NT_UNPRIV_ID, 1));
	p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	check_map(nsbox_proc_pid(p), "uid_map", &root_line, 1);
	check_map(nsbox_proc_pid(p), "gid_map", &root_line, 1);
	nt_proc_read(nsbox_proc_pid(p), "setgroups", sg, sizeof(sg));
	NT_ASSERT_STR_EQ(nt_chomp(sg), "deny");
	nt_finish(p);
	close(rd);
	nsbox_config_free(cfg);
}

START_TEST(test_unpriv_explicit_lines)
{
	nt_in_child(child_unpriv_explicit, NULL);
}
END_TEST

static void child_unpriv_callback(void *unused)
{
	nsbox_config *cfg;
	struct report r;
	char out[4096], *who;
	int pp[2], st;
	nsbox_proc *p = NULL;

	(void)unused;
	nt_drop_privileges();
	cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_PID | NSBOX_NS_MOUNT);
	NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	NT_ASSERT(pipe2(pp, O_CLOEXEC) == 0, "pipe");
	r.wr = pp[1];
	NT_OK(nsbox_config_set_callback(cfg, cb_read_maps, &r));
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	close(pp[1]);
	nt_read_all(pp[0], out, sizeof(out));
	close(pp[0]);
	st = nt_wait_free(p);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "callback: %s", nt_status_str(st));
	who = strstr(out, "uid=");
	NT_ASSERT(who != NULL, "no ids in \"%s\"", out);
	NT_ASSERT_STR_EQ(who, "uid=0 gid=0\n");
	*who = '\0';
	check_map_text("callback's uid_map", out, &root_line, 1);
	nsbox_config_free(cfg);
}

START_TEST(test_unpriv_callback)
{
	nt_in_child(child_unpriv_callback, NULL);
}
END_TEST

/* Every kind at once, unprivileged, with a fresh /proc. */
static void child_unpriv_all(void *unused)
{
	nsbox_config *cfg;
	struct nt_snap s;
	char line[256];
	nsbox_proc *p;
	uint32_t bit;
	int rd;

	(void)unused;
	nt_drop_privileges();
	cfg = nt_cfg(NSBOX_NS_ALL);
	NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	NT_OK(nsbox_config_set_mount_proc(cfg, 1));
	NT_OK(nsbox_config_set_hostname(cfg, "allkinds"));
	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "echo $$ $(hostname) $(id -u); "
	                          "for d in /proc/[0-9]*; do printf '%%s ' ${d#/proc/}; done; echo; "
	                          "echo ready; exec sleep 30");
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
	NT_ASSERT_STR_EQ(line, "1 allkinds 0");
	/* its fresh /proc shows only itself */
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no /proc listing");
	NT_ASSERT_STR_EQ(line, "1 ");
	nt_expect_ready(rd);
	for (bit = 1; bit <= NSBOX_NS_TIME; bit <<= 1)
		nt_assert_ns_differs(nsbox_proc_pid(p), nt_ns_name(bit));
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);
	nsbox_config_free(cfg);
}

START_TEST(test_unpriv_all_kinds)
{
	nt_in_child(child_unpriv_all, NULL);
}
END_TEST

/* ---- unprivileged failures --------------------------------------------------------------- */

static void expect_spawn_error(nsbox_config *cfg, int want, const char *needle)
{
	struct nt_snap s;
	nsbox_proc *p = NULL;

	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, want);
	NT_ASSERT(p == NULL, "out-parameter written on failure");
	NT_SNAP_CHECK(&s);
	if (needle)
		NT_ASSERT_CONTAINS(nsbox_last_error(), needle);
	else
		NT_ASSERT(nsbox_last_error()[0] != '\0', "no description of the failure");
}

/* Several lines need CAP_SETUID over the parent namespace: the parent's map
 * write fails with EPERM and the child is gone without running. (Without
 * NSBOX_SPAWN_NO_MAP_HELPERS the library would ask newuidmap(1), whose
 * answer depends on /etc/subuid: not this test's subject.) */
static void child_unpriv_multiline(void *unused)
{
	nsbox_config *cfg;
	const char *argv[] = { "true", NULL };

	(void)unused;
	nt_drop_privileges();
	cfg = nt_cfg(NSBOX_NS_USER | NSBOX_NS_UTS);
	NT_OK(nsbox_config_add_uid_map(cfg, 0, NT_UNPRIV_ID, 1));
	NT_OK(nsbox_config_add_uid_map(cfg, 1, 100000, 1000));
	NT_OK(nsbox_config_add_gid_map(cfg, 0, NT_UNPRIV_ID, 1));
	NT_OK(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL));
	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_MAP_HELPERS));
	expect_spawn_error(cfg, -EPERM, "map");
	/* a map of someone else's uid, one line: the same */
	nsbox_config_free(cfg);
	cfg = nt_cfg(NSBOX_NS_USER);
	NT_OK(nsbox_config_add_uid_map(cfg, 0, 0, 1));
	NT_OK(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL));
	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_MAP_HELPERS));
	expect_spawn_error(cfg, -EPERM, "map");
	nsbox_config_free(cfg);
}

START_TEST(test_unpriv_multiline_eperm)
{
	nt_in_child(child_unpriv_multiline, NULL);
}
END_TEST

/* setgroups allowed: the parent must write the gid map, which an
 * unprivileged parent may not while setgroups is allowed. */
static void child_unpriv_setgroups_allow(void *unused)
{
	nsbox_config *cfg;
	const char *argv[] = { "true", NULL };

	(void)unused;
	nt_drop_privileges();
	cfg = nt_cfg(NSBOX_NS_UTS);
	NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	NT_OK(nsbox_config_set_setgroups(cfg, NSBOX_SETGROUPS_ALLOW));
	NT_OK(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL));
	NT_OK(nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_MAP_HELPERS));
	expect_spawn_error(cfg, -EPERM, "gid_map");
	nsbox_config_free(cfg);
}

START_TEST(test_unpriv_setgroups_allow_eperm)
{
	nt_in_child(child_unpriv_setgroups_allow, NULL);
}
END_TEST

/* No user namespace, no privilege: clone refuses. */
static void child_unpriv_no_userns(void *unused)
{
	nsbox_config *cfg;
	const char *argv[] = { "true", NULL };
	uint32_t bit;

	(void)unused;
	nt_drop_privileges();
	for (bit = 1; bit <= NSBOX_NS_TIME; bit <<= 1) {
		if (bit == NSBOX_NS_USER)
			continue;
		cfg = nt_cfg(bit);
		NT_OK(nsbox_config_set_exec(cfg, "/bin/true", argv, NULL));
		expect_spawn_error(cfg, -EPERM, NULL);
		nsbox_config_free(cfg);
	}
}

START_TEST(test_unpriv_without_userns_eperm)
{
	nt_in_child(child_unpriv_no_userns, NULL);
}
END_TEST

/* ---- the parent dies before writing the maps -------------------------------------------- */

static int ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* A spawning process (P, traced by the test) is killed at the very moment it
 * opens the child's map files to write them. The child, waiting for its
 * maps, must exit without ever running the payload (which would create a
 * marker file), and nothing of it may remain. */
START_TEST(test_parent_dies_before_maps)
{
	char dir[] = "/tmp/nsbox-orphan-XXXXXX", marker[64];
	struct stat sb;
	pid_t P, child = 0;
	long last_nr = -1;
	int st = 0, i;

	if (nt_under_valgrind())
		return; /* ptrace under valgrind traces valgrind */
	NT_ASSERT(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	NT_ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0, "subreaper");
	fflush(NULL);
	P = fork();
	NT_ASSERT(P >= 0, "fork");
	if (P == 0) {
		nsbox_config *cfg = NULL;
		nsbox_proc *p = NULL;
		const char *argv[] = { "touch", marker, NULL };

		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(10);
		raise(SIGSTOP);
		if (nsbox_config_new(&cfg) || nsbox_config_set_namespaces(cfg, NSBOX_NS_USER) ||
		    nsbox_config_add_uid_map(cfg, 0, 100000, 1000) ||
		    nsbox_config_add_uid_map(cfg, 1000, 200000, 10) ||
		    nsbox_config_add_gid_map(cfg, 0, 100000, 1000) ||
		    nsbox_config_set_exec(cfg, "/usr/bin/touch", argv, NULL))
			_exit(11);
		nsbox_spawn(cfg, &p);
		_exit(12); /* not reached: killed while spawning */
	}
	NT_ASSERT(waitpid(P, &st, 0) == P && WIFSTOPPED(st), "tracee did not stop");
	NT_ASSERT(ptrace(PTRACE_SETOPTIONS, P, NULL,
	                 (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) == 0,
	          "PTRACE_SETOPTIONS: %s", strerror(errno));
	NT_ASSERT(ptrace(PTRACE_SYSCALL, P, NULL, NULL) == 0, "PTRACE_SYSCALL");
	for (;;) {
		struct __ptrace_syscall_info info;
		int sig = 0;

		NT_ASSERT(waitpid(P, &st, 0) == P, "waitpid tracee: %s", strerror(errno));
		NT_ASSERT(WIFSTOPPED(st), "the spawning process ended (%s) without writing maps",
		          nt_status_str(st));
		if (WSTOPSIG(st) != (SIGTRAP | 0x80)) {
			sig = WSTOPSIG(st);
		} else {
			memset(&info, 0, sizeof(info));
			NT_ASSERT(ptrace(PTRACE_GET_SYSCALL_INFO, P, (void *)sizeof(info), &info) > 0,
			          "PTRACE_GET_SYSCALL_INFO: %s", strerror(errno));
			if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
				last_nr = (long)info.entry.nr;
				if (last_nr == SYS_openat || last_nr == SYS_open) {
					char path[256] = "";
					struct iovec local = { path, sizeof(path) - 1 };
					struct iovec remote = {
						(void *)(uintptr_t)info.entry.args[last_nr == SYS_openat ? 1 : 0],
						sizeof(path) - 1
					};

					if (process_vm_readv(P, &local, 1, &remote, 1, 0) > 0 &&
					    (ends_with(path, "/uid_map") || ends_with(path, "/gid_map") ||
					     ends_with(path, "/setgroups")))
						break;
				}
			} else if (info.op == PTRACE_SYSCALL_INFO_EXIT &&
			           (last_nr == SYS_clone3 || last_nr == SYS_clone) &&
			           !info.exit.is_error && info.exit.rval > 0) {
				child = (pid_t)info.exit.rval;
			}
		}
		NT_ASSERT(ptrace(PTRACE_SYSCALL, P, NULL, (void *)(long)sig) == 0, "PTRACE_SYSCALL");
	}
	/* P is about to open a map file of its child: kill it there */
	NT_ASSERT(child > 0, "no clone seen before the map write");
	NT_ASSERT(kill(P, SIGKILL) == 0, "kill");
	NT_ASSERT(waitpid(P, &st, 0) == P && WIFSIGNALED(st), "spawning process: %s",
	          nt_status_str(st));
	/* the orphan is ours now (subreaper): it must go away by itself */
	for (i = 0; i < 1000; i++) {
		pid_t w = waitpid(child, &st, WNOHANG | __WALL);

		if (w == child)
			break;
		NT_ASSERT(w == 0, "waitpid child %d: %s", (int)child, strerror(errno));
		usleep(10000);
	}
	if (i == 1000) {
		kill(child, SIGKILL);
		waitpid(child, &st, __WALL);
		NT_ASSERT(0, "the child %d outlived its parent by 10 s while waiting for its maps",
		          (int)child);
	}
	NT_ASSERT(stat(marker, &sb) != 0, "the payload ran although its maps were never written");
	NT_ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) == 0, "subreaper off");
	NT_ASSERT(rmdir(dir) == 0, "rmdir %s: %s", dir, strerror(errno));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("userns");
	TCase *tc;

	nt_init();
	nt_require_root("userns (it drops to uid 65534 for the unprivileged cases)");
	nt_require_userns();
	nt_require_cmd("hostname");

	tc = nt_tcase("maps-first");
	tcase_add_test(tc, test_exec_sees_maps_first);
	tcase_add_test(tc, test_callback_sees_maps_first);
	tcase_add_test(tc, test_uid_map_only);
	tcase_add_test(tc, test_map_caller_as_root);
	tcase_add_test(tc, test_parent_dies_before_maps);
	suite_add_tcase(s, tc);

	tc = nt_tcase("unprivileged");
	tcase_add_test(tc, test_unpriv_map_root);
	tcase_add_test(tc, test_unpriv_map_self);
	tcase_add_test(tc, test_unpriv_explicit_lines);
	tcase_add_test(tc, test_unpriv_callback);
	tcase_add_test(tc, test_unpriv_all_kinds);
	suite_add_tcase(s, tc);

	tc = nt_tcase("unprivileged-errors");
	tcase_add_test(tc, test_unpriv_multiline_eperm);
	tcase_add_test(tc, test_unpriv_setgroups_allow_eperm);
	tcase_add_test(tc, test_unpriv_without_userns_eperm);
	suite_add_tcase(s, tc);
	return nt_run_suite(s);
}
