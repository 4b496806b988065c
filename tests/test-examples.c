/*
 * test-examples.c - runs every example program (examples/) for real, with a
 * command instead of an interactive shell, and checks what it isolated
 * against the host's view. The programs' paths come from meson in
 * NSBOX_EXAMPLE_<NAME> and NSBOX_RUN. Needs root (user.c and the
 * unprivileged nsbox-run cases run as uid 65534).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

static char out[16384];

static const char *example(const char *name)
{
	char var[64], reason[4200];
	const char *path;
	size_t i;

	snprintf(var, sizeof(var), "NSBOX_EXAMPLE_%s", name);
	for (i = 0; var[i]; i++)
		if (var[i] >= 'a' && var[i] <= 'z')
			var[i] = (char)(var[i] - 'a' + 'A');
	path = getenv(var);
	if (!path || !*path) {
		snprintf(reason, sizeof(reason), "%s is not set (examples not built?)", var);
		nt_skip(reason);
	}
	if (access(path, X_OK) != 0) {
		snprintf(reason, sizeof(reason), "%s is not built", path);
		nt_skip(reason);
	}
	return path;
}

static const char *nsbox_run(void)
{
	const char *path = getenv("NSBOX_RUN");

	if (!path || !*path)
		nt_skip("NSBOX_RUN is not set (examples not built?)");
	if (access(path, X_OK) != 0)
		nt_skip("nsbox-run is not built");
	return path;
}

/* Does @text have a line equal to @line? */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return 1;
		p++;
	}
	return 0;
}

static void self_ns_link(const char *kind, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", kind);
	n = readlink(path, buf, size - 1);
	NT_ASSERT(n > 0, "readlink %s", path);
	buf[n] = '\0';
}

#define RUN_OK(...)                                                                               \
	do {                                                                                      \
		int st_ = nt_sh(out, sizeof(out), __VA_ARGS__);                                   \
		NT_ASSERT(WIFEXITED(st_) && WEXITSTATUS(st_) == 0, "%s; output:\n%s",             \
		          nt_status_str(st_), out);                                               \
	} while (0)

START_TEST(test_basic)
{
	int st;

	RUN_OK("'%s' -- sh -c 'echo hello from basic'", example("basic"));
	NT_ASSERT(has_line(out, "hello from basic"), "output:\n%s", out);
	st = nt_sh(out, sizeof(out), "'%s' -- sh -c 'exit 3'", example("basic"));
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 3, "exit status %s", nt_status_str(st));
}
END_TEST

START_TEST(test_uts)
{
	char host[256], host2[256], link[128];

	nt_hostname(host, sizeof(host));
	self_ns_link("uts", link, sizeof(link));
	RUN_OK("'%s' -- sh -c 'hostname; readlink /proc/self/ns/uts'", example("uts"));
	NT_ASSERT(has_line(out, "container"), "hostname inside is not \"container\":\n%s", out);
	NT_ASSERT(strstr(out, "uts:[") != NULL && !has_line(out, link),
	          "not in a new UTS namespace:\n%s", out);
	nt_hostname(host2, sizeof(host2));
	NT_ASSERT_STR_EQ(host2, host);
}
END_TEST

START_TEST(test_ipc)
{
	char link[128], host[8192], *l, *save = NULL;
	int keys = 0;

	self_ns_link("ipc", link, sizeof(link));
	RUN_OK("'%s' -- sh -c 'readlink /proc/self/ns/ipc; ipcmk -Q >/dev/null && ipcs -q'",
	       example("ipc"));
	NT_ASSERT(strstr(out, "ipc:[") != NULL && !has_line(out, link),
	          "not in a new IPC namespace:\n%s", out);
	nt_sh_ok(host, sizeof(host), "ipcs -q");
	for (l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char key[32];

		if (sscanf(l, "%31s", key) == 1 && strncmp(key, "0x", 2) == 0) {
			keys++;
			NT_ASSERT(strstr(host, key) == NULL, "queue %s made inside is on the host", key);
		}
	}
	NT_ASSERT_INT(keys, ==, 1);
}
END_TEST

START_TEST(test_pid)
{
	RUN_OK("'%s' -- sh -c 'echo pid=$$'", example("pid"));
	NT_ASSERT(has_line(out, "pid=1"), "not pid 1:\n%s", out);
}
END_TEST

START_TEST(test_mount)
{
	char mi[4096], mi2[4096];

	nt_mounts_at(0, "/proc", mi, sizeof(mi));
	RUN_OK("'%s' -- sh -c 'for d in /proc/[0-9]*; do printf \"%%s \" ${d#/proc/}; done; echo'",
	       example("mount"));
	NT_ASSERT(has_line(out, "1 "), "its /proc shows more than itself:\n%s", out);
	nt_mounts_at(0, "/proc", mi2, sizeof(mi2));
	NT_ASSERT_STR_EQ(mi2, mi);
}
END_TEST

START_TEST(test_net)
{
	RUN_OK("'%s' -- ip -o link", example("net"));
	NT_ASSERT(strstr(out, "1: lo:") != NULL && strstr(out, "2: ") == NULL,
	          "more than lo inside:\n%s", out);
}
END_TEST

static void child_user(void *path)
{
	nt_drop_privileges();
	RUN_OK("'%s' -- sh -c 'hostname; id -u; cat /proc/self/uid_map'", (const char *)path);
	NT_ASSERT(has_line(out, "container") && has_line(out, "0"), "output:\n%s", out);
	{
		const char *m = strstr(out, "         0      65534          1");

		NT_ASSERT(m != NULL, "uid_map is not \"0 65534 1\":\n%s", out);
	}
}

START_TEST(test_user_unprivileged)
{
	nt_in_child(child_user, (void *)example("user"));
}
END_TEST

/* ---- nsbox-run ------------------------------------------------------------------------ */

START_TEST(test_run_help)
{
	static const char *const opts[] = {
		"-U", "--user", "-m", "--mount", "-u", "--uts", "-i", "--ipc", "-n", "--net",
		"-p", "--pid", "-C", "--cgroup", "-T", "--time", "-r", "--map-root-user",
		"--map-user", "--map-group", "--mount-proc", "--hostname", "--join", "--help",
	};
	size_t i;

	RUN_OK("'%s' --help", nsbox_run());
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		char word[64];

		snprintf(word, sizeof(word), "%s", opts[i]);
		NT_ASSERT(strstr(out, word) != NULL, "--help does not list %s", opts[i]);
	}
	RUN_OK("'%s' --version", nsbox_run());
	NT_ASSERT(strstr(out, NSBOX_VERSION_STRING) != NULL, "--version: %s", out);
}
END_TEST

static void child_run_issue_example(void *path)
{
	nt_drop_privileges();
	RUN_OK("'%s' -U -r -u -p --hostname boxed -- sh -c 'echo $(hostname) $$ $(id -u)'",
	       (const char *)path);
	NT_ASSERT_STR_EQ(out, "boxed 1 0\n");
	RUN_OK("'%s' --user --map-user=1000 --map-group=1000 -- sh -c 'echo $(id -u) $(id -g)'",
	       (const char *)path);
	NT_ASSERT_STR_EQ(out, "1000 1000\n");
}

START_TEST(test_run_unprivileged)
{
	nt_in_child(child_run_issue_example, (void *)nsbox_run());
}
END_TEST

START_TEST(test_run_exit_codes)
{
	int st;

	st = nt_sh(out, sizeof(out), "'%s' -- sh -c 'exit 7'", nsbox_run());
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 7, "%s", nt_status_str(st));
	st = nt_sh(out, sizeof(out), "'%s' -u -- /nonexistent/command 2>/dev/null", nsbox_run());
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 127, "%s", nt_status_str(st));
	st = nt_sh(out, sizeof(out), "'%s' --no-such-option 2>/dev/null", nsbox_run());
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 125, "%s", nt_status_str(st));
}
END_TEST

START_TEST(test_run_kinds)
{
	char link[128];

	RUN_OK("'%s' -n -- ip -o link", nsbox_run());
	NT_ASSERT(strstr(out, "1: lo:") != NULL && strstr(out, "2: ") == NULL, "net:\n%s", out);

	RUN_OK("'%s' -m -p --mount-proc -- sh -c 'echo $$; for d in /proc/[0-9]*; do printf \"%%s \" "
	       "${d#/proc/}; done; echo'",
	       nsbox_run());
	NT_ASSERT_STR_EQ(out, "1\n1 \n");

	self_ns_link("time", link, sizeof(link));
	RUN_OK("'%s' -T -- readlink /proc/self/ns/time", nsbox_run());
	NT_ASSERT(strncmp(out, "time:[", 6) == 0 && !has_line(out, link), "time: %s", out);

	self_ns_link("ipc", link, sizeof(link));
	RUN_OK("'%s' -i -u -- readlink /proc/self/ns/ipc", nsbox_run());
	NT_ASSERT(strncmp(out, "ipc:[", 5) == 0 && !has_line(out, link), "ipc: %s", out);

}
END_TEST

/* -C: run from a cgroup of our own, the command sees "/" where it would
 * otherwise see that cgroup's path. */
static char cg_dir[700];

static void child_run_cgroup(void *unused)
{
	char path[720], pid[32], root[512], want[720];

	(void)unused;
	nt_cgroup2_mount(root, sizeof(root));
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg_dir);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	NT_ASSERT(nt_write_file(path, pid) == 0, "cannot move into %s", cg_dir);
	RUN_OK("'%s' -u -- grep '^0::' /proc/self/cgroup", nsbox_run());
	snprintf(want, sizeof(want), "0::%s\n", cg_dir + strlen(root));
	NT_ASSERT_STR_EQ(out, want);
	RUN_OK("'%s' -C -- grep '^0::' /proc/self/cgroup", nsbox_run());
	NT_ASSERT_STR_EQ(out, "0::/\n");
}

START_TEST(test_run_cgroup)
{
	char root[512], why[8400];
	int ok, r;

	nt_cgroup2_mount(root, sizeof(root));
	NT_ASSERT(root[0] != '\0', "no cgroup2 mount");
	snprintf(cg_dir, sizeof(cg_dir), "%s/%s", root, nt_tag());
	NT_ASSERT(mkdir(cg_dir, 0755) == 0, "mkdir %s: %s", cg_dir, strerror(errno));
	ok = nt_in_child_try(child_run_cgroup, NULL, why, sizeof(why));
	r = nt_cgroup_remove(cg_dir);
	NT_ASSERT(ok, "%s", why);
	NT_ASSERT(r == 0, "rmdir %s: %s", cg_dir, strerror(-r));
}
END_TEST

START_TEST(test_run_join)
{
	nsbox_config *cfg = nt_cfg(NSBOX_NS_UTS | NSBOX_NS_NET);
	char tag[64], want[256];
	nsbox_proc *p;
	int rd;

	snprintf(tag, sizeof(tag), "%s", nt_tag());
	NT_OK(nsbox_config_set_hostname(cfg, tag));
	p = nt_spawn_sh(cfg, &rd, "echo ready; exec sleep 30");
	nt_expect_ready(rd);
	RUN_OK("'%s' --join %d -- sh -c 'echo $(hostname) $(readlink /proc/self/ns/net)'", nsbox_run(),
	       nsbox_proc_pid(p));
	{
		char netlink[128], path[64];
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/ns/net", nsbox_proc_pid(p));
		n = readlink(path, netlink, sizeof(netlink) - 1);
		NT_ASSERT(n > 0, "readlink");
		netlink[n] = '\0';
		snprintf(want, sizeof(want), "%s %s\n", tag, netlink);
	}
	NT_ASSERT_STR_EQ(out, want);
	nt_finish(p);
	close(rd);
	nsbox_config_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("examples");
	TCase *tc;

	nt_init();
	nt_require_root("examples");
	nt_require_userns();
	nt_require_cmd("ip");
	nt_require_cmd("ipcmk");
	nt_require_cmd("hostname");
	/* resolve every path now, so that a missing one skips the suite */
	example("basic");
	example("uts");
	example("ipc");
	example("pid");
	example("mount");
	example("user");
	example("net");
	nsbox_run();

	tc = nt_tcase("demos");
	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_uts);
	tcase_add_test(tc, test_ipc);
	tcase_add_test(tc, test_pid);
	tcase_add_test(tc, test_mount);
	tcase_add_test(tc, test_net);
	tcase_add_test(tc, test_user_unprivileged);
	suite_add_tcase(s, tc);

	tc = nt_tcase("nsbox-run");
	tcase_add_test(tc, test_run_help);
	tcase_add_test(tc, test_run_unprivileged);
	tcase_add_test(tc, test_run_exit_codes);
	tcase_add_test(tc, test_run_kinds);
	tcase_add_test(tc, test_run_cgroup);
	tcase_add_test(tc, test_run_join);
	suite_add_tcase(s, tc);
	return nt_run_suite(s);
}
