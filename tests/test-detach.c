/*
 * test-detach.c - nsbox_detach and nsbox_detach_user move the calling
 * process into new namespaces, so every case runs in a forked test child:
 * /proc/self/ns before and after, /proc/self/uid_map, and the parent's view
 * (hostname, mountinfo) untouched. Needs root (and drops to 65534 for the
 * unprivileged cases).
 *
 * SPDX-License-Identifier: MIT
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"

struct ids {
	struct nt_nsid k[10];
};

static const char *const kinds[10] = { "mnt", "uts", "ipc", "pid", "net", "user", "cgroup",
	                               "time", "pid_for_children", "time_for_children" };

static void ids_take(struct ids *i)
{
	int n;

	for (n = 0; n < 10; n++)
		i->k[n] = nt_ns(0, kinds[n]);
}

/* Exactly the kinds named in @changed (space separated) differ. */
static void ids_changed(const struct ids *before, const char *changed)
{
	struct ids now;
	int n;

	ids_take(&now);
	for (n = 0; n < 10; n++) {
		char word[32];
		int want;

		snprintf(word, sizeof(word), " %s ", kinds[n]);
		want = strstr(changed, word) != NULL;
		NT_ASSERT(nt_ns_eq(before->k[n], now.k[n]) != want,
		          "namespace %s %s (expected changed:%s)", kinds[n],
		          want ? "did not change" : "changed", changed);
	}
}

static void expect_map(const char *file, const char *want_line)
{
	char text[256], want[256];
	struct nt_map_line got[4], exp[1];
	int n;

	nt_proc_read(0, file, text, sizeof(text));
	snprintf(want, sizeof(want), "%s", want_line);
	NT_ASSERT(nt_parse_map(want, exp, 1) == 1, "bad expectation");
	n = nt_parse_map(text, got, 4);
	NT_ASSERT(n == 1 && got[0].inside == exp[0].inside && got[0].outside == exp[0].outside &&
	              got[0].count == exp[0].count,
	          "/proc/self/%s is \"%s\", want \"%s\"", file, text, want_line);
}

/* ---- nsbox_detach ------------------------------------------------------------------------ */

static void child_detach_uts_ipc_net(void *unused)
{
	struct ids before;
	struct nt_snap s;
	char out[4096];

	(void)unused;
	ids_take(&before);
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_detach(NSBOX_NS_UTS | NSBOX_NS_IPC | NSBOX_NS_NET), ==, 0);
	NT_SNAP_CHECK(&s);
	ids_changed(&before, " uts ipc net ");
	/* the parent's differ too, seen from here */
	nt_assert_ns_differs(getppid(), "uts");
	NT_ASSERT(sethostname("detached-uts", 12) == 0, "sethostname: %s", strerror(errno));
	nt_sh_ok(out, sizeof(out), "ip -o link | wc -l");
	NT_ASSERT_STR_EQ(nt_chomp(out), "1");
}

START_TEST(test_detach_uts_ipc_net)
{
	char host[256], host2[256];

	nt_hostname(host, sizeof(host));
	nt_in_child(child_detach_uts_ipc_net, NULL);
	nt_hostname(host2, sizeof(host2));
	NT_ASSERT_STR_EQ(host2, host);
}
END_TEST

static void child_detach_mount(void *arg)
{
	const char *dir = arg;
	static char mi[1 << 18];
	char tag[64];
	struct ids before;

	ids_take(&before);
	NT_ASSERT_INT(nsbox_detach(NSBOX_NS_MOUNT), ==, 0);
	ids_changed(&before, " mnt ");
	snprintf(tag, sizeof(tag), "%s", nt_tag());
	NT_ASSERT(mount(tag, dir, "tmpfs", 0, NULL) == 0, "mount: %s", strerror(errno));
	nt_proc_read(0, "mountinfo", mi, sizeof(mi));
	NT_ASSERT(strstr(mi, tag) != NULL, "own mount missing");
	nt_proc_read(getppid(), "mountinfo", mi, sizeof(mi));
	NT_ASSERT(strstr(mi, tag) == NULL, "the mount reached the parent");
}

START_TEST(test_detach_mount)
{
	char dir[] = "/tmp/nsbox-detach-XXXXXX";
	static char mi[1 << 18];

	NT_ASSERT(mkdtemp(dir) != NULL, "mkdtemp");
	nt_in_child(child_detach_mount, dir);
	nt_proc_read(0, "mountinfo", mi, sizeof(mi));
	NT_ASSERT(strstr(mi, dir) == NULL, "%s is mounted on the host", dir);
	NT_ASSERT(rmdir(dir) == 0, "rmdir: %s", strerror(errno));
}
END_TEST

/* After a PID namespace is unshared, /proc/self/ns/pid_for_children only
 * resolves once its first process (pid 1) exists: start one that checks
 * it is pid 1 and waits on a pipe. */
struct first_child {
	pid_t pid;
	int release;
};

static void first_child_start(struct first_child *f)
{
	int p[2];

	NT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe");
	f->pid = fork();
	NT_ASSERT(f->pid >= 0, "fork");
	if (f->pid == 0) {
		char c;

		close(p[1]);
		if (getpid() != 1)
			_exit(1);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	f->release = p[1];
}

static void first_child_end(struct first_child *f)
{
	int st = 0;

	close(f->release);
	NT_ASSERT(waitpid(f->pid, &st, 0) == f->pid, "waitpid");
	NT_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the first child is not pid 1 (%s)",
	          nt_status_str(st));
}

/* PID and time: for children created afterwards. */
static void child_detach_pid_time(void *unused)
{
	struct first_child f;
	struct ids before;

	(void)unused;
	ids_take(&before);
	NT_ASSERT_INT(nsbox_detach(NSBOX_NS_PID | NSBOX_NS_TIME | NSBOX_NS_CGROUP), ==, 0);
	first_child_start(&f);
	ids_changed(&before, " pid_for_children time_for_children cgroup ");
	first_child_end(&f);
}

START_TEST(test_detach_pid_time_cgroup)
{
	nt_in_child(child_detach_pid_time, NULL);
}
END_TEST

static void child_detach_user_root(void *unused)
{
	struct ids before;
	char text[256];

	(void)unused;
	ids_take(&before);
	NT_ASSERT_INT(nsbox_detach(NSBOX_NS_USER), ==, 0);
	ids_changed(&before, " user ");
	nt_proc_read(0, "uid_map", text, sizeof(text));
	NT_ASSERT_STR_EQ(text, "");
}

START_TEST(test_detach_user_unmapped)
{
	nt_in_child(child_detach_user_root, NULL);
}
END_TEST

/* ---- nsbox_detach_user ------------------------------------------------------------------- */

struct du_args {
	int unpriv;
	uint32_t ns, flags;
	const char *changed, *map;
	uid_t uid;
};

static void child_detach_user(void *arg)
{
	const struct du_args *a = arg;
	struct first_child f;
	struct ids before;
	struct nt_snap s;
	char sg[64];

	if (a->unpriv)
		nt_drop_privileges();
	ids_take(&before);
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_detach_user(a->ns, a->flags), ==, 0);
	NT_SNAP_CHECK(&s);
	if (a->ns & NSBOX_NS_PID) {
		first_child_start(&f);
		ids_changed(&before, a->changed);
		first_child_end(&f);
	} else {
		ids_changed(&before, a->changed);
	}
	expect_map("uid_map", a->map);
	expect_map("gid_map", a->map);
	nt_proc_read(0, "setgroups", sg, sizeof(sg));
	NT_ASSERT_STR_EQ(nt_chomp(sg), "deny");
	NT_ASSERT_INT(getuid(), ==, a->uid);
	NT_ASSERT_INT(getgid(), ==, a->uid);
	if (a->ns & NSBOX_NS_UTS)
		NT_ASSERT(sethostname("detached-user", 13) == 0, "sethostname in the owned UTS: %s",
		          strerror(errno));
	if (a->ns & NSBOX_NS_MOUNT)
		NT_ASSERT(mount("nsbox-detach", "/tmp", "tmpfs", 0, NULL) == 0,
		          "mount in the owned mount namespace: %s", strerror(errno));
}

static const struct du_args du_cases[] = {
	/* root: 0 -> 0 */
	{ 0, 0, NSBOX_MAP_ROOT, " user ", "0 0 1", 0 },
	/* nobody, like unshare -r, with more kinds */
	{ 1, NSBOX_NS_UTS | NSBOX_NS_MOUNT | NSBOX_NS_NET, NSBOX_MAP_ROOT, " user uts mnt net ",
	  "0 65534 1", 0 },
	/* nobody, mapped to itself */
	{ 1, NSBOX_NS_IPC, 0, " user ipc ", "65534 65534 1", NT_UNPRIV_ID },
	/* nobody, PID and time for its children */
	{ 1, NSBOX_NS_PID | NSBOX_NS_TIME | NSBOX_NS_USER, NSBOX_MAP_ROOT,
	  " user pid_for_children time_for_children ", "0 65534 1", 0 },
};

START_TEST(test_detach_user)
{
	char host[256], host2[256];

	nt_hostname(host, sizeof(host));
	nt_in_child(child_detach_user, (void *)&du_cases[_i]);
	nt_hostname(host2, sizeof(host2));
	NT_ASSERT_STR_EQ(host2, host);
}
END_TEST

/* ---- refusals --------------------------------------------------------------------------- */

static void child_detach_bad_args(void *unused)
{
	struct ids before;
	struct nt_snap s;

	(void)unused;
	ids_take(&before);
	nt_snap_take(&s);
	NT_ASSERT_INT(nsbox_detach(0), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_detach(0x100), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_detach(NSBOX_NS_UTS | 0x80000000u), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_detach_user(0, 0x2), ==, -EINVAL);
	NT_ASSERT_INT(nsbox_detach_user(0x100, NSBOX_MAP_ROOT), ==, -EINVAL);
	NT_SNAP_CHECK(&s);
	ids_changed(&before, " ");
}

START_TEST(test_detach_bad_args)
{
	nt_in_child(child_detach_bad_args, NULL);
}
END_TEST

static void child_detach_unpriv_eperm(void *unused)
{
	struct ids before;
	struct nt_snap s;
	uint32_t bit;

	(void)unused;
	nt_drop_privileges();
	ids_take(&before);
	for (bit = 1; bit <= NSBOX_NS_TIME; bit <<= 1) {
		if (bit == NSBOX_NS_USER)
			continue;
		nt_snap_take(&s);
		NT_ASSERT_INT(nsbox_detach(bit), ==, -EPERM);
		NT_SNAP_CHECK(&s);
		NT_ASSERT(nsbox_last_error()[0] != '\0', "no description");
	}
	ids_changed(&before, " ");
}

START_TEST(test_detach_unprivileged_eperm)
{
	nt_in_child(child_detach_unpriv_eperm, NULL);
}
END_TEST

static void *idle_thread(void *arg)
{
	char c;

	while (read(*(int *)arg, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* The kernel refuses a user namespace to a multithreaded process:
 * -EINVAL, with the reason described. */
static void child_detach_threaded_user(void *unused)
{
	struct ids before;
	pthread_t t;
	int p[2];

	(void)unused;
	NT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe");
	NT_ASSERT(pthread_create(&t, NULL, idle_thread, &p[0]) == 0, "pthread_create");
	ids_take(&before);
	NT_ASSERT_INT(nsbox_detach(NSBOX_NS_USER), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "thread");
	NT_ASSERT_INT(nsbox_detach_user(NSBOX_NS_UTS, NSBOX_MAP_ROOT), ==, -EINVAL);
	NT_ASSERT_CONTAINS(nsbox_last_error(), "thread");
	ids_changed(&before, " ");
	/* what a thread may unshare still works */
	NT_ASSERT_INT(nsbox_detach(NSBOX_NS_UTS), ==, 0);
	NT_ASSERT(write(p[1], "x", 1) == 1, "release");
	pthread_join(t, NULL);
}

START_TEST(test_detach_multithreaded_user)
{
	nt_in_child(child_detach_threaded_user, NULL);
}
END_TEST

/* nsbox_detach() acts on the calling thread: in a multithreaded process a
 * new mount namespace is the calling thread's alone (documented). */
static void child_detach_threaded_mount(void *unused)
{
	char path[128];
	struct nt_nsid before, self, other;
	struct stat st;
	pthread_t t;
	int p[2], tid;
	DIR *d;

	(void)unused;
	NT_ASSERT(pipe2(p, O_CLOEXEC) == 0, "pipe");
	NT_ASSERT(pthread_create(&t, NULL, idle_thread, &p[0]) == 0, "pthread_create");
	before = nt_ns(0, "mnt");
	NT_ASSERT_INT(nsbox_detach(NSBOX_NS_MOUNT), ==, 0);
	tid = 0;
	d = opendir("/proc/self/task");
	NT_ASSERT(d != NULL, "opendir");
	{
		struct dirent *e;

		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.' && atoi(e->d_name) != (int)getpid())
				tid = atoi(e->d_name);
	}
	closedir(d);
	NT_ASSERT(tid > 0, "no second thread");
	/* the main thread called: /proc/self/ns is its view */
	self = nt_ns(0, "mnt");
	snprintf(path, sizeof(path), "/proc/self/task/%d/ns/mnt", tid);
	NT_ASSERT(stat(path, &st) == 0, "stat %s", path);
	other.dev = st.st_dev;
	other.ino = st.st_ino;
	NT_ASSERT(!nt_ns_eq(self, before), "the calling thread did not move");
	NT_ASSERT(nt_ns_eq(other, before), "the other thread moved too");
	NT_ASSERT(write(p[1], "x", 1) == 1, "release");
	pthread_join(t, NULL);
}

START_TEST(test_detach_multithreaded_mount)
{
	nt_in_child(child_detach_threaded_mount, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("detach");
	TCase *tc;

	nt_init();
	nt_require_root("detach");
	nt_require_userns();
	nt_require_cmd("ip");

	tc = nt_tcase("detach");
	tcase_add_test(tc, test_detach_uts_ipc_net);
	tcase_add_test(tc, test_detach_mount);
	tcase_add_test(tc, test_detach_pid_time_cgroup);
	tcase_add_test(tc, test_detach_user_unmapped);
	suite_add_tcase(s, tc);

	tc = nt_tcase("detach-user");
	tcase_add_loop_test(tc, test_detach_user, 0, sizeof(du_cases) / sizeof(du_cases[0]));
	suite_add_tcase(s, tc);

	tc = nt_tcase("refusals");
	tcase_add_test(tc, test_detach_bad_args);
	tcase_add_test(tc, test_detach_unprivileged_eperm);
	tcase_add_test(tc, test_detach_multithreaded_user);
	tcase_add_test(tc, test_detach_multithreaded_mount);
	suite_add_tcase(s, tc);
	return nt_run_suite(s);
}
