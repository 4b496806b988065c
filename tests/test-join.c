/*
 * test-join.c - entering existing namespaces: nsbox_join* in the caller (in
 * a forked test child, since it changes the caller), nsbox_config_join* in
 * spawned payloads (PID namespace included), and interop with util-linux
 * both ways (nsenter into an nsbox child, nsbox into an unshare(1)
 * process). Needs root.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

/* A live target: an nsbox payload sleeping in namespaces @ns. */
struct target {
	nsbox_proc *proc;
	pid_t pid;
	int rd;
	char host[64];
};

static void target_start(struct target *t, uint32_t ns, int map_root)
{
	nsbox_config *cfg = nt_cfg(ns);

	snprintf(t->host, sizeof(t->host), "%s", nt_tag());
	if (map_root)
		NT_OK(nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT));
	if (ns & NSBOX_NS_UTS)
		NT_OK(nsbox_config_set_hostname(cfg, t->host));
	if ((ns & NSBOX_NS_PID) && (ns & NSBOX_NS_MOUNT))
		NT_OK(nsbox_config_set_mount_proc(cfg, 1));
	t->proc = nt_spawn_sh(cfg, &t->rd, "echo ready; exec sleep 30");
	t->pid = nsbox_proc_pid(t->proc);
	nt_expect_ready(t->rd);
	nsbox_config_free(cfg);
}

static void target_stop(struct target *t)
{
	nt_finish(t->proc);
	close(t->rd);
}

/* Assert that @pid and the target share (or not) namespace @kind. */
static void same_as(pid_t pid, pid_t target, const char *kind, int same)
{
	struct nt_nsid a = nt_ns(pid, kind), b = nt_ns(target, kind);

	NT_ASSERT(nt_ns_eq(a, b) == same, "%s namespace of %d is %s that of %d (%llu vs %llu)", kind,
	          (int)pid, same ? "not" : "still", (int)target, (unsigned long long)a.ino,
	          (unsigned long long)b.ino);
}

/* ---- nsbox_join in the caller -------------------------------------------------------- */

struct join_args {
	struct target *t;
	int how; /* 0 pidfd, 1 pid, 2 path */
};

static void child_join(void *arg)
{
	struct join_args *a = arg;
	struct nt_nsid ipc_before = nt_ns(0, "ipc");
	char host[128], path[64];
	struct nt_snap s;
	int r;

	nt_snap_take(&s);
	switch (a->how) {
	case 0:
		r = nsbox_join(nsbox_proc_pidfd(a->t->proc), NSBOX_NS_UTS | NSBOX_NS_NET);
		break;
	case 1:
		r = nsbox_join_pid(a->t->pid, NSBOX_NS_UTS | NSBOX_NS_NET);
		break;
	default:
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)a->t->pid);
		r = nsbox_join_path(path, NSBOX_NS_NET);
		if (r == 0) {
			snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)a->t->pid);
			r = nsbox_join_path(path, 0); /* any kind */
		}
		break;
	}
	NT_ASSERT_INT(r, ==, 0);
	NT_SNAP_CHECK(&s);
	same_as(getpid(), a->t->pid, "uts", 1);
	same_as(getpid(), a->t->pid, "net", 1);
	NT_ASSERT(nt_ns_eq(nt_ns(0, "ipc"), ipc_before), "the IPC namespace changed too");
	nt_hostname(host, sizeof(host));
	NT_ASSERT_STR_EQ(host, a->t->host);
}

START_TEST(test_join_caller)
{
	struct target t;
	struct join_args a;
	char host[128], host2[128];

	nt_hostname(host, sizeof(host));
	target_start(&t, NSBOX_NS_UTS | NSBOX_NS_NET | NSBOX_NS_IPC, 0);
	a.t = &t;
	a.how = _i;
	nt_in_child(child_join, &a);
	target_stop(&t);
	/* the test process itself did not move */
	nt_hostname(host2, sizeof(host2));
	NT_ASSERT_STR_EQ(host2, host);
}
END_TEST

/* All kinds of a target with its own user namespace; PID and time take
 * effect for the caller's children. */
static void child_join_all(void *arg)
{
	static const char *const kinds[] = { "mnt", "uts", "ipc", "net", "user", "cgroup",
		                             "pid_for_children", "time_for_children" };
	struct target *t = arg;
	struct nt_nsid want[8], pid_before = nt_ns(0, "pid");
	/* after the join our /proc is the target's, where we are not: keep
	 * a handle on our own ns directory */
	int nsdir = open("/proc/self/ns", O_PATH | O_DIRECTORY | O_CLOEXEC);
	size_t i;

	NT_ASSERT(nsdir >= 0, "open /proc/self/ns");
	for (i = 0; i < 8; i++)
		want[i] = nt_ns(t->pid, kinds[i]);
	NT_ASSERT_INT(nsbox_join(nsbox_proc_pidfd(t->proc), NSBOX_NS_ALL), ==, 0);
	for (i = 0; i < 8; i++) {
		struct stat st;

		NT_ASSERT(fstatat(nsdir, kinds[i], &st, 0) == 0, "stat %s: %s", kinds[i],
		          strerror(errno));
		NT_ASSERT(st.st_dev == want[i].dev && st.st_ino == want[i].ino,
		          "%s namespace of the caller is not the target's", kinds[i]);
	}
	{
		struct stat st;

		NT_ASSERT(fstatat(nsdir, "pid", &st, 0) == 0, "stat pid");
		NT_ASSERT(st.st_ino == pid_before.ino, "the caller's own pid namespace changed");
	}
	close(nsdir);
}

START_TEST(test_join_caller_all)
{
	struct target t;

	target_start(&t, NSBOX_NS_ALL, 1);
	nt_in_child(child_join_all, &t);
	target_stop(&t);
}
END_TEST

/* Unprivileged: join a user namespace one owns, then the rest. */
static void child_unpriv_join(void *unused)
{
	struct target t;
	char host[128];

	(void)unused;
	nt_drop_privileges();
	target_start(&t, NSBOX_NS_USER | NSBOX_NS_UTS | NSBOX_NS_MOUNT | NSBOX_NS_NET, 1);
	/* a spawned payload joins as well */
	{
		nsbox_config *cfg = nt_cfg(0);
		char line[128];
		nsbox_proc *p;
		int rd;

		NT_OK(nsbox_config_join(cfg, nsbox_proc_pidfd(t.proc),
		                        NSBOX_NS_USER | NSBOX_NS_UTS | NSBOX_NS_NET));
		p = nt_spawn_sh(cfg, &rd, "hostname; echo ready; exec sleep 30");
		NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
		NT_ASSERT_STR_EQ(line, t.host);
		nt_expect_ready(rd);
		same_as(nsbox_proc_pid(p), t.pid, "user", 1);
		same_as(nsbox_proc_pid(p), t.pid, "uts", 1);
		same_as(nsbox_proc_pid(p), t.pid, "net", 1);
		same_as(nsbox_proc_pid(p), t.pid, "mnt", 0);
		nt_finish(p);
		close(rd);
		nsbox_config_free(cfg);
	}
	NT_ASSERT_INT(nsbox_join(nsbox_proc_pidfd(t.proc),
	                         NSBOX_NS_USER | NSBOX_NS_UTS | NSBOX_NS_MOUNT),
	              ==, 0);
	same_as(getpid(), t.pid, "user", 1);
	same_as(getpid(), t.pid, "uts", 1);
	same_as(getpid(), t.pid, "mnt", 1);
	same_as(getpid(), t.pid, "net", 0);
	nt_hostname(host, sizeof(host));
	NT_ASSERT_STR_EQ(host, t.host);
	NT_ASSERT_INT(getuid(), ==, 0); /* 65534 is root in there */
	target_stop(&t);
}

START_TEST(test_join_caller_unprivileged)
{
	nt_in_child(child_unpriv_join, NULL);
}
END_TEST

/* ---- nsbox_config_join* in a spawned payload ---------------------------------------------- */

START_TEST(test_spawn_join_pidfd)
{
	struct target t;
	nsbox_config *cfg = nt_cfg(0);
	struct nt_snap s;
	char line[128];
	nsbox_proc *p;
	int rd;

	target_start(&t, NSBOX_NS_UTS | NSBOX_NS_NET | NSBOX_NS_IPC, 0);
	NT_OK(nsbox_config_join(cfg, nsbox_proc_pidfd(t.proc), NSBOX_NS_UTS | NSBOX_NS_NET));
	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "hostname; echo ready; exec sleep 30");
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
	NT_ASSERT_STR_EQ(line, t.host);
	nt_expect_ready(rd);
	same_as(nsbox_proc_pid(p), t.pid, "uts", 1);
	same_as(nsbox_proc_pid(p), t.pid, "net", 1);
	same_as(nsbox_proc_pid(p), t.pid, "ipc", 0);
	nt_assert_ns_same(nsbox_proc_pid(p), "ipc");
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);
	target_stop(&t);
	nsbox_config_free(cfg);
}
END_TEST

/* The payload is really in the target's PID namespace (not pid 1 there),
 * is still the caller's child, and its exit status comes back. */
START_TEST(test_spawn_join_pid_namespace)
{
	struct target t;
	nsbox_config *cfg = nt_cfg(0);
	char line[128], status[4096], want[64];
	const char *argv[] = { "sh", "-c", "exit 5", NULL };
	struct nt_snap s;
	nsbox_proc *p = NULL;
	pid_t pid;
	int rd, st, inner;

	target_start(&t, NSBOX_NS_PID | NSBOX_NS_MOUNT | NSBOX_NS_UTS, 0);
	NT_OK(nsbox_config_join_pid(cfg, t.pid, NSBOX_NS_PID | NSBOX_NS_MOUNT));
	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "echo $$; echo ready; exec sleep 30");
	pid = nsbox_proc_pid(p);
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
	inner = atoi(line);
	NT_ASSERT(inner > 1, "pid inside the joined namespace is %s", line);
	nt_expect_ready(rd);
	same_as(pid, t.pid, "pid", 1);
	same_as(pid, t.pid, "mnt", 1);
	same_as(pid, t.pid, "uts", 0);
	nt_proc_read(pid, "status", status, sizeof(status));
	snprintf(want, sizeof(want), "NSpid:\t%d\t%d\n", (int)pid, inner);
	NT_ASSERT_CONTAINS(status, want);
	snprintf(want, sizeof(want), "\nPPid:\t%d\n", (int)getpid());
	NT_ASSERT_CONTAINS(status, want);
	/* the target's /proc (joined mount ns) shows the payload */
	{
		char path[64];
		struct stat sb;

		snprintf(path, sizeof(path), "/proc/%d/root/proc/%d", (int)t.pid, inner);
		NT_ASSERT(stat(path, &sb) == 0, "%s: %s", path, strerror(errno));
	}
	st = nt_finish(p);
	NT_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "%s", nt_status_str(st));
	close(rd);
	NT_SNAP_CHECK(&s);

	/* exit status through the extra fork */
	NT_OK(nsbox_config_set_exec(cfg, "/bin/sh", argv, NULL));
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	st = nt_wait_free(p);
	NT_SNAP_CHECK(&s);
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 5, "%s", nt_status_str(st));
	target_stop(&t);
	nsbox_config_free(cfg);
}
END_TEST

/* Join a PID namespace and create new UTS and mount ones with a fresh /proc. */
START_TEST(test_spawn_join_pid_and_create)
{
	struct target t;
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_MOUNT);
	char line[256];
	nsbox_proc *p;
	int rd;

	target_start(&t, NSBOX_NS_PID | NSBOX_NS_UTS, 0);
	NT_OK(nsbox_config_join(cfg, nsbox_proc_pidfd(t.proc), NSBOX_NS_PID));
	NT_OK(nsbox_config_set_mount_proc(cfg, 1));
	NT_OK(nsbox_config_set_hostname(cfg, "joined-and-new"));
	p = nt_spawn_sh(cfg, &rd, "echo $(hostname) $(cat /proc/1/comm); echo ready; exec sleep 30");
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
	/* pid 1 of its /proc is the target's sleep */
	NT_ASSERT_STR_EQ(line, "joined-and-new sleep");
	nt_expect_ready(rd);
	same_as(nsbox_proc_pid(p), t.pid, "pid", 1);
	same_as(nsbox_proc_pid(p), t.pid, "uts", 0);
	nt_assert_ns_differs(nsbox_proc_pid(p), "uts");
	nt_assert_ns_differs(nsbox_proc_pid(p), "mnt");
	nt_finish(p);
	close(rd);
	target_stop(&t);
	nsbox_config_free(cfg);
}
END_TEST

/* A kind both joined and created: the new namespace is created after the
 * join, so it nests inside the joined one. */
START_TEST(test_spawn_join_then_create_same_kind)
{
	struct target t;
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_PID);
	char line[256], status[4096], want[128];
	nsbox_proc *p;
	pid_t pid;
	int rd;

	target_start(&t, NSBOX_NS_UTS | NSBOX_NS_PID, 0);
	NT_OK(nsbox_config_join(cfg, nsbox_proc_pidfd(t.proc), NSBOX_NS_UTS | NSBOX_NS_PID));
	p = nt_spawn_sh(cfg, &rd, "echo $(hostname) $$; echo ready; exec sleep 30");
	pid = nsbox_proc_pid(p);
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
	/* the new UTS namespace starts as a copy of the joined one */
	snprintf(want, sizeof(want), "%s 1", t.host);
	NT_ASSERT_STR_EQ(line, want);
	nt_expect_ready(rd);
	same_as(pid, t.pid, "uts", 0);
	nt_assert_ns_differs(pid, "uts");
	same_as(pid, t.pid, "pid", 0);
	/* three levels: ours, the target's, its own (where it is 1) */
	nt_proc_read(pid, "status", status, sizeof(status));
	{
		const char *l = strstr(status, "NSpid:");
		int a = 0, b = 0, c = 0, n;

		NT_ASSERT(l != NULL, "no NSpid");
		n = sscanf(l, "NSpid:\t%d\t%d\t%d", &a, &b, &c);
		NT_ASSERT(n == 3 && a == pid && b > 1 && c == 1, "NSpid line: %.60s", l);
	}
	nt_finish(p);
	close(rd);
	target_stop(&t);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_spawn_join_path_net)
{
	struct target t;
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS);
	char path[64], out[4096];
	nsbox_proc *p;
	int rd;

	target_start(&t, NSBOX_NS_NET, 0);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)t.pid);
	NT_OK(nsbox_config_join_path(cfg, path, NSBOX_NS_NET));
	p = nt_spawn_sh(cfg, &rd, "ip -o link; echo ready; exec sleep 30");
	NT_ASSERT(nt_read_line(rd, out, sizeof(out)) > 0, "no output");
	NT_ASSERT(strncmp(out, "1: lo: ", 7) == 0, "not lo: %s", out);
	nt_expect_ready(rd);
	same_as(nsbox_proc_pid(p), t.pid, "net", 1);
	nt_assert_ns_differs(nsbox_proc_pid(p), "uts");
	nt_sh_ok(out, sizeof(out), "nsenter -t %d -n ip -o link | wc -l", nsbox_proc_pid(p));
	NT_ASSERT_STR_EQ(nt_chomp(out), "1");
	nt_finish(p);
	close(rd);
	target_stop(&t);
	nsbox_config_free(cfg);
}
END_TEST

/* UTS from one target, net from another, a new IPC namespace. */
START_TEST(test_spawn_join_two_targets)
{
	struct target a, b;
	nsbox_config *cfg = nt_cfg(NSBOX_NS_IPC);
	nsbox_proc *p;
	int rd;

	target_start(&a, NSBOX_NS_UTS, 0);
	target_start(&b, NSBOX_NS_NET, 0);
	NT_OK(nsbox_config_join(cfg, nsbox_proc_pidfd(a.proc), NSBOX_NS_UTS));
	NT_OK(nsbox_config_join_pid(cfg, b.pid, NSBOX_NS_NET));
	p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	same_as(nsbox_proc_pid(p), a.pid, "uts", 1);
	same_as(nsbox_proc_pid(p), b.pid, "net", 1);
	nt_assert_ns_differs(nsbox_proc_pid(p), "ipc");
	same_as(nsbox_proc_pid(p), a.pid, "ipc", 0);
	nt_finish(p);
	close(rd);
	target_stop(&a);
	target_stop(&b);
	nsbox_config_free(cfg);
}
END_TEST

/* A hostname set in a joined UTS namespace changes the target's too. */
START_TEST(test_spawn_join_uts_hostname)
{
	struct target t;
	nsbox_config *cfg = nt_cfg(0);
	char out[256], tag[64];
	nsbox_proc *p = NULL;

	snprintf(tag, sizeof(tag), "%s-set", nt_tag());
	target_start(&t, NSBOX_NS_UTS, 0);
	NT_OK(nsbox_config_join(cfg, nsbox_proc_pidfd(t.proc), NSBOX_NS_UTS));
	NT_OK(nsbox_config_set_hostname(cfg, tag));
	NT_OK(nsbox_config_set_exec(cfg, "/bin/true", NULL, NULL));
	NT_ASSERT_INT(nsbox_spawn(cfg, &p), ==, 0);
	NT_ASSERT(WIFEXITED(nt_wait_free(p)), "payload");
	nt_sh_ok(out, sizeof(out), "nsenter -t %d -u hostname", (int)t.pid);
	NT_ASSERT_STR_EQ(nt_chomp(out), tag);
	target_stop(&t);
	nsbox_config_free(cfg);
}
END_TEST

/* Time and cgroup namespaces, and everything of a target at once. */
START_TEST(test_spawn_join_time_cgroup)
{
	struct target t;
	nsbox_config *cfg = nt_cfg(0);
	nsbox_proc *p;
	int rd;

	target_start(&t, NSBOX_NS_TIME | NSBOX_NS_CGROUP, 0);
	NT_OK(nsbox_config_join_pid(cfg, t.pid, NSBOX_NS_TIME | NSBOX_NS_CGROUP));
	p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	same_as(nsbox_proc_pid(p), t.pid, "time", 1);
	same_as(nsbox_proc_pid(p), t.pid, "cgroup", 1);
	nt_assert_ns_differs(nsbox_proc_pid(p), "time");
	nt_finish(p);
	close(rd);
	target_stop(&t);
	nsbox_config_free(cfg);
}
END_TEST

START_TEST(test_spawn_join_all)
{
	struct target t;
	nsbox_config *cfg = nt_cfg(0);
	struct nt_snap s;
	char line[128];
	nsbox_proc *p;
	uint32_t bit;
	int rd;

	target_start(&t, NSBOX_NS_ALL, 1);
	NT_OK(nsbox_config_join(cfg, nsbox_proc_pidfd(t.proc), NSBOX_NS_ALL));
	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "echo $(hostname) $$; echo ready; exec sleep 30");
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
	NT_ASSERT(strncmp(line, t.host, strlen(t.host)) == 0 && atoi(line + strlen(t.host)) > 1,
	          "payload said \"%s\"", line);
	nt_expect_ready(rd);
	for (bit = 1; bit <= NSBOX_NS_TIME; bit <<= 1)
		same_as(nsbox_proc_pid(p), t.pid, nt_ns_name(bit), 1);
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);
	target_stop(&t);
	nsbox_config_free(cfg);
}
END_TEST

/* ---- util-linux interop ------------------------------------------------------------------- */

/* nsenter enters an nsbox child's namespaces. */
START_TEST(test_nsenter_into_nsbox)
{
	struct target t;
	char out[512], want[128];

	target_start(&t, NSBOX_NS_UTS | NSBOX_NS_NET | NSBOX_NS_PID | NSBOX_NS_MOUNT, 0);
	nt_sh_ok(out, sizeof(out), "nsenter -t %d -u -n sh -c 'echo $(hostname) $(ip -o link | wc -l)'",
	         (int)t.pid);
	snprintf(want, sizeof(want), "%s 1", t.host);
	NT_ASSERT_STR_EQ(nt_chomp(out), want);
	/* its PID namespace with its /proc: pid 1 is the payload */
	nt_sh_ok(out, sizeof(out), "nsenter -t %d -p -m cat /proc/1/comm", (int)t.pid);
	NT_ASSERT_STR_EQ(nt_chomp(out), "sleep");
	target_stop(&t);
}
END_TEST

/* A process started by unshare(1), kept alive until killed. */
struct ul_proc {
	pid_t pid; /* the unshare process (it execs the command in place) */
	int rd;
};

static void ul_start(struct ul_proc *u, const char *opts, const char *script)
{
	char cmd[1024], line[64];
	int p[2];

	NT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe");
	snprintf(cmd, sizeof(cmd), "exec unshare %s sh -c '%s'", opts, script);
	fflush(NULL);
	u->pid = fork();
	NT_ASSERT(u->pid >= 0, "fork");
	if (u->pid == 0) {
		dup2(p[1], 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	u->rd = p[0];
	NT_ASSERT(nt_read_line(u->rd, line, sizeof(line)) >= 0 && strcmp(line, "ready") == 0,
	          "unshare %s did not start: \"%s\"", opts, line);
}

static void ul_stop(struct ul_proc *u)
{
	int st;

	kill(u->pid, SIGKILL);
	waitpid(u->pid, &st, 0);
	close(u->rd);
}

static void child_join_unshare(void *arg)
{
	struct ul_proc *u = arg;
	char host[128], path[64];

	NT_ASSERT_INT(nsbox_join_pid(u->pid, NSBOX_NS_UTS | NSBOX_NS_IPC), ==, 0);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)u->pid);
	NT_ASSERT_INT(nsbox_join_path(path, NSBOX_NS_NET), ==, 0);
	nt_hostname(host, sizeof(host));
	NT_ASSERT_STR_EQ(host, "fromunshare");
	same_as(getpid(), u->pid, "uts", 1);
	same_as(getpid(), u->pid, "ipc", 1);
	same_as(getpid(), u->pid, "net", 1);
}

START_TEST(test_nsbox_into_unshare)
{
	struct ul_proc u;
	nsbox_config *cfg = nt_cfg(0);
	struct nt_snap s;
	char line[128];
	nsbox_proc *p;
	int rd;

	ul_start(&u, "-u -n -i", "hostname fromunshare; echo ready; exec sleep 30");
	nt_assert_ns_differs(u.pid, "uts");
	/* spawn into it */
	NT_OK(nsbox_config_join_pid(cfg, u.pid, NSBOX_NS_UTS | NSBOX_NS_NET | NSBOX_NS_IPC));
	nt_snap_take(&s);
	p = nt_spawn_sh(cfg, &rd, "echo $(hostname) $(ip -o link | wc -l); echo ready; exec sleep 30");
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
	NT_ASSERT_STR_EQ(line, "fromunshare 1");
	nt_expect_ready(rd);
	same_as(nsbox_proc_pid(p), u.pid, "uts", 1);
	same_as(nsbox_proc_pid(p), u.pid, "net", 1);
	same_as(nsbox_proc_pid(p), u.pid, "ipc", 1);
	nt_finish(p);
	close(rd);
	NT_SNAP_CHECK(&s);
	/* and the caller joins it */
	nt_in_child(child_join_unshare, &u);
	ul_stop(&u);
	nsbox_config_free(cfg);
}
END_TEST

/* unshare -p -f --mount-proc: join the PID namespace of its child. */
START_TEST(test_nsbox_into_unshare_pid)
{
	struct ul_proc u;
	nsbox_config *cfg = nt_cfg(0);
	char text[256], line[128], status[4096], want[64];
	pid_t target;
	nsbox_proc *p;
	int rd, inner;

	ul_start(&u, "-p -f -m --mount-proc", "echo ready; exec sleep 30");
	/* the target is unshare's only child, pid 1 of the new namespace */
	{
		char path[64];

		snprintf(path, sizeof(path), "task/%d/children", (int)u.pid);
		nt_proc_read(u.pid, path, text, sizeof(text));
	}
	target = atoi(text);
	NT_ASSERT(target > 0, "unshare has no child: \"%s\"", text);
	nt_proc_read(target, "status", status, sizeof(status));
	snprintf(want, sizeof(want), "NSpid:\t%d\t1\n", (int)target);
	NT_ASSERT_CONTAINS(status, want);

	NT_OK(nsbox_config_join_pid(cfg, target, NSBOX_NS_PID | NSBOX_NS_MOUNT));
	p = nt_spawn_sh(cfg, &rd, "echo $$ $(cat /proc/1/comm); echo ready; exec sleep 30");
	NT_ASSERT(nt_read_line(rd, line, sizeof(line)) > 0, "no output");
	inner = atoi(line);
	NT_ASSERT(inner > 1 && strstr(line, " sleep") != NULL, "payload said \"%s\"", line);
	nt_expect_ready(rd);
	same_as(nsbox_proc_pid(p), target, "pid", 1);
	same_as(nsbox_proc_pid(p), target, "mnt", 1);
	nt_proc_read(nsbox_proc_pid(p), "status", status, sizeof(status));
	snprintf(want, sizeof(want), "NSpid:\t%d\t%d\n", nsbox_proc_pid(p), inner);
	NT_ASSERT_CONTAINS(status, want);
	nt_finish(p);
	close(rd);
	ul_stop(&u);
	nsbox_config_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("join");
	TCase *tc;

	nt_init();
	nt_require_root("join");
	nt_require_userns();
	nt_require_cmd("nsenter");
	nt_require_cmd("unshare");
	nt_require_cmd("ip");
	nt_require_cmd("hostname");

	tc = nt_tcase("caller");
	tcase_add_loop_test(tc, test_join_caller, 0, 3);
	tcase_add_test(tc, test_join_caller_all);
	tcase_add_test(tc, test_join_caller_unprivileged);
	suite_add_tcase(s, tc);

	tc = nt_tcase("spawn");
	tcase_add_test(tc, test_spawn_join_pidfd);
	tcase_add_test(tc, test_spawn_join_pid_namespace);
	tcase_add_test(tc, test_spawn_join_pid_and_create);
	tcase_add_test(tc, test_spawn_join_then_create_same_kind);
	tcase_add_test(tc, test_spawn_join_path_net);
	tcase_add_test(tc, test_spawn_join_two_targets);
	tcase_add_test(tc, test_spawn_join_uts_hostname);
	tcase_add_test(tc, test_spawn_join_time_cgroup);
	tcase_add_test(tc, test_spawn_join_all);
	suite_add_tcase(s, tc);

	tc = nt_tcase("util-linux");
	tcase_add_test(tc, test_nsenter_into_nsbox);
	tcase_add_test(tc, test_nsbox_into_unshare);
	tcase_add_test(tc, test_nsbox_into_unshare_pid);
	suite_add_tcase(s, tc);
	return nt_run_suite(s);
}
