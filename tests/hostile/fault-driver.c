/*
 * fault-driver.c - the program that test-faults.py runs for each injected
 * fault: one nsbox_spawn + kill + wait in a worker process that strace
 * traces, everything else outside of it.
 *
 *   fault-driver CONFIG PAYLOAD
 *     CONFIG  plain | userroot | multimap | joinpid | nestedpid | callback | noclone3
 *     PAYLOAD the static fault-payload program (it only calls pause)
 *
 * Why two processes. strace counts `when=N` per traced process, from the
 * moment it traces it; a program started under strace spends hundreds of
 * mmap/openat/read/close calls in the dynamic loader before main(). So the
 * driver (D, never traced) builds the configuration, forks the worker (W)
 * and prints "W <pid>"; the test attaches `strace -f -p <pid>` and writes
 * "go" on D's stdin. From then on W makes no system call of its own: it
 * runs nsbox_spawn(), reports through shared memory, waits (spinning on
 * shared memory) while D inspects the payload from outside, then runs
 * nsbox_proc_kill/nsbox_proc_wait/nsbox_proc_free and parks in pause().
 * So every traced call of W and of its children (up to the payload's
 * execve; the payload itself calls only pause) is the library's, and
 * occurrence N of a system call in the trace is `when=N` for strace.
 *
 * D checks the payload (the namespaces and maps the configuration asks
 * for) and, at the end, W's descriptors, children, signal state and
 * mappings against what they were before, and prints one line:
 *   VERDICT {json}
 *
 * SPDX-License-Identifier: MIT
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nsbox.h"

#define HOSTNAME "fault-host"

/* Shared between D, W and (MAP_SHARED survives fork) a callback payload. */
struct shm {
	atomic_int go;     /* D -> W: start */
	atomic_int phase;  /* W -> D: 1 spawned, 3 done (or spawn failed); D -> W: 2 checked */
	atomic_int cb_entered;
	int spawn_ret;
	int wait_ret;
	int status;
	int payload_pid;
	char spawn_err[512];
	char wait_err[512];
};

static struct shm *shm;

/* ---- W: the traced worker --------------------------------------------------------- */

static void copy_str(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

/* Busy wait without a system call (any call here would be traced). */
static void spin_until(atomic_int *v, int want)
{
	while (atomic_load(v) != want) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
}

static int callback(void *arg)
{
	(void)arg;
	atomic_store(&shm->cb_entered, 1);
	for (;;)
		syscall(SYS_pause);
	return 0;
}

static void worker(nsbox_config *cfg) __attribute__((noreturn));
static void worker(nsbox_config *cfg)
{
	nsbox_proc *p = NULL;
	int32_t st = 0;
	int r;

	spin_until(&shm->go, 1);
	/* ---- traced region 1 ---- */
	r = nsbox_spawn(cfg, &p);
	shm->spawn_ret = r;
	if (r < 0) {
		copy_str(shm->spawn_err, nsbox_last_error(), sizeof(shm->spawn_err));
		atomic_store(&shm->phase, 3);
	} else {
		shm->payload_pid = nsbox_proc_pid(p);
		atomic_store(&shm->phase, 1);
	}
	if (r == 0) {
		spin_until(&shm->phase, 2);
		/* ---- traced region 2 ---- */
		nsbox_proc_kill(p, SIGKILL);
		r = nsbox_proc_wait(p, 0, &st);
		shm->wait_ret = r;
		shm->status = st;
		if (r < 0)
			copy_str(shm->wait_err, nsbox_last_error(), sizeof(shm->wait_err));
		nsbox_proc_free(p);
	}
	atomic_store(&shm->phase, 3);
	for (;;)
		syscall(SYS_pause);
}

/* ---- D: the untraced driver ------------------------------------------------------- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int wait_phase(int want, int ms)
{
	long end = now_ms() + ms;

	while (atomic_load(&shm->phase) < want) {
		if (now_ms() > end)
			return 0;
		usleep(500);
	}
	return 1;
}

static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t r;

	if (fd < 0)
		return -errno;
	while (len + 1 < size && (r = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	close(fd);
	return (ssize_t)len;
}

/* "N -> target" lines of /proc/PID/fd (PID 0: self, minus the listing fd). */
static void fd_list(pid_t pid, char *out, size_t size)
{
	char dir[64], path[128], target[256];
	struct dirent *e;
	size_t off = 0;
	int fds[1024], n = 0;
	DIR *d;

	out[0] = '\0';
	if (pid)
		snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	else
		snprintf(dir, sizeof(dir), "/proc/self/fd");
	if (!(d = opendir(dir)))
		return;
	while ((e = readdir(d)) != NULL && n < 1024) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (!pid && atoi(e->d_name) == dirfd(d))
			continue;
		fds[n++] = atoi(e->d_name);
	}
	closedir(d);
	for (int i = 0; i < n; i++) /* sort */
		for (int j = i + 1; j < n; j++)
			if (fds[j] < fds[i]) {
				int t = fds[i];
				fds[i] = fds[j];
				fds[j] = t;
			}
	for (int i = 0; i < n && off < size; i++) {
		ssize_t l;

		snprintf(path, sizeof(path), "%s/%d", dir, fds[i]);
		l = readlink(path, target, sizeof(target) - 1);
		target[l > 0 ? l : 0] = '\0';
		/* pipe:[ino] and anon_inode names are stable for one descriptor */
		off += (size_t)snprintf(out + off, size - off, "%d -> %s\n", fds[i], target);
	}
}

/* Lines of @a missing from @b, as a JSON list body. */
static void line_diff(const char *a, const char *b, char *out, size_t size)
{
	const char *p = a;
	size_t off = 0;

	out[0] = '\0';
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];
		const char *q = b;
		int found = 0;

		snprintf(line, sizeof(line), "%.*s", (int)(len < 500 ? len : 500), p);
		while ((q = strstr(q, line)) != NULL) {
			if ((q == b || q[-1] == '\n') && (q[len] == '\n' || q[len] == '\0')) {
				found = 1;
				break;
			}
			q++;
		}
		if (!found && off < size) {
			char esc[600];
			size_t k = 0;

			for (size_t i = 0; line[i] && k + 2 < sizeof(esc); i++) {
				if (line[i] == '"' || line[i] == '\\')
					esc[k++] = '\\';
				esc[k++] = line[i];
			}
			esc[k] = '\0';
			off += (size_t)snprintf(out + off, size - off, "%s\"%s\"", off ? ", " : "", esc);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* /proc/PID/maps without [heap], [stack] and anonymous growth of malloc. */
static void maps_of(pid_t pid, char *out, size_t size)
{
	static char raw[1 << 18];
	char path[64], *line, *save = NULL;
	size_t off = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	out[0] = '\0';
	if (read_file(path, raw, sizeof(raw)) < 0)
		return;
	for (line = strtok_r(raw, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "[heap]") || strstr(line, "[stack]"))
			continue;
		off += (size_t)snprintf(out + off, size - off, "%s\n", line);
		if (off >= size)
			break;
	}
}

static int status_field(pid_t pid, const char *field, char *out, size_t size)
{
	char path[64], text[4096], key[32], *p, *e;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file(path, text, sizeof(text)) < 0)
		return -1;
	snprintf(key, sizeof(key), "\n%s:\t", field);
	if (!(p = strstr(text, key)))
		return -1;
	p += strlen(key);
	e = strchr(p, '\n');
	snprintf(out, size, "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
	return 0;
}

static int same_ns(pid_t a, pid_t b, const char *kind)
{
	char pa[64], pb[64];
	struct stat sa, sb;

	snprintf(pa, sizeof(pa), "/proc/%d/ns/%s", (int)a, kind);
	snprintf(pb, sizeof(pb), "/proc/%d/ns/%s", (int)b, kind);
	if (stat(pa, &sa) < 0 || stat(pb, &sb) < 0)
		return -1;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The hostname in the UTS namespace of @pid (a helper process enters it). */
static void hostname_of(pid_t pid, char *out, size_t size)
{
	int p[2], st;
	pid_t h;
	ssize_t n;

	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	h = fork();
	if (h == 0) {
		char path[64];
		struct utsname u;
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWUTS) < 0 || uname(&u) < 0)
			_exit(1);
		(void)!write(p[1], u.nodename, strlen(u.nodename));
		_exit(0);
	}
	close(p[1]);
	n = h > 0 ? read(p[0], out, size - 1) : -1;
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	if (h > 0)
		waitpid(h, &st, 0);
}

static const char *config_name;
static pid_t join_target = -1;
static const char *payload_path;

/* The payload runs and is what the configuration asks for; "" if so. */
static void check_payload(pid_t pid, char *why, size_t size)
{
	char text[1024], exe[512];
	pid_t me = getpid();
	ssize_t n;

	why[0] = '\0';
	if (status_field(pid, "State", text, sizeof(text)) < 0) {
		snprintf(why, size, "payload %d does not exist", (int)pid);
		return;
	}
	if (text[0] == 'Z' || text[0] == 'X') {
		snprintf(why, size, "payload %d is dead (%.100s)", (int)pid, text);
		return;
	}
	if (strcmp(config_name, "callback") == 0) {
		long end = now_ms() + 3000;

		while (!atomic_load(&shm->cb_entered) && now_ms() < end)
			usleep(500);
		if (!atomic_load(&shm->cb_entered)) {
			snprintf(why, size, "the callback was never entered");
			return;
		}
	} else {
		char path[64];
		long end = now_ms() + 3000;

		/* the vfork parent may return a moment before exec completes */
		snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
		do {
			n = readlink(path, exe, sizeof(exe) - 1);
			exe[n > 0 ? n : 0] = '\0';
			if (strcmp(exe, payload_path) == 0)
				break;
			usleep(500);
		} while (now_ms() < end);
		if (strcmp(exe, payload_path) != 0) {
			snprintf(why, size, "payload %d runs %.200s, not the payload", (int)pid, exe);
			return;
		}
	}
	if (strcmp(config_name, "userroot") == 0 || strcmp(config_name, "multimap") == 0) {
		char path[64];
		int lines = 0;

		if (same_ns(pid, me, "user") != 0) {
			snprintf(why, size, "no new user namespace");
			return;
		}
		snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
		read_file(path, text, sizeof(text));
		for (char *c = text; *c; c++)
			lines += *c == '\n';
		if (lines != (strcmp(config_name, "userroot") == 0 ? 1 : 2)) {
			snprintf(why, size, "uid_map is \"%.200s\"", text);
			return;
		}
		snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
		read_file(path, text, sizeof(text));
		lines = 0;
		for (char *c = text; *c; c++)
			lines += *c == '\n';
		if (lines != (strcmp(config_name, "userroot") == 0 ? 1 : 2)) {
			snprintf(why, size, "gid_map is \"%.200s\"", text);
			return;
		}
	}
	if (strcmp(config_name, "userroot") == 0 || strcmp(config_name, "callback") == 0 ||
	    strcmp(config_name, "noclone3") == 0) {
		if (same_ns(pid, me, "uts") != 0) {
			snprintf(why, size, "no new UTS namespace");
			return;
		}
		hostname_of(pid, text, sizeof(text));
		if (strcmp(text, HOSTNAME) != 0) {
			snprintf(why, size, "hostname is \"%.200s\"", text);
			return;
		}
	}
	if (strcmp(config_name, "userroot") == 0 && same_ns(pid, me, "mnt") != 0)
		snprintf(why, size, "no new mount namespace");
	if (strcmp(config_name, "callback") == 0 && same_ns(pid, me, "pid") != 0)
		snprintf(why, size, "no new PID namespace");
	if (strcmp(config_name, "joinpid") == 0 || strcmp(config_name, "nestedpid") == 0) {
		const char *kinds[] = { "uts", "ipc", "pid" };
		int nested = strcmp(config_name, "nestedpid") == 0;

		for (int i = 0; i < 3; i++)
			if (same_ns(pid, join_target, kinds[i]) != (nested && i == 2 ? 0 : 1)) {
				snprintf(why, size, "%s the target's %s namespace", nested && i == 2 ? "in" : "not in",
				         kinds[i]);
				return;
			}
		if (nested) {
			/* NSpid: our number, the target namespace's, 1 in the new one */
			if (status_field(pid, "NSpid", text, sizeof(text)) < 0 || !strstr(text, "\t1") ||
			    strchr(text, '\t') == strrchr(text, '\t'))
				snprintf(why, size, "not pid 1 of a PID namespace nested in the target's (NSpid %.100s)",
				         text);
		}
	}
}

static void json_str(const char *key, const char *s, int comma)
{
	printf("\"%s\": \"", key);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	printf("\"%s", comma ? ", " : "");
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int target_main(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

static nsbox_config *build_config(void)
{
	nsbox_config *cfg = NULL;
	const char *argv[] = { "fault-payload", NULL };
	int r = nsbox_config_new(&cfg);

	if (r == 0 && strcmp(config_name, "plain") == 0) {
		/* nothing else */
	} else if (r == 0 && strcmp(config_name, "userroot") == 0) {
		r = nsbox_config_set_namespaces(cfg, NSBOX_NS_USER | NSBOX_NS_UTS | NSBOX_NS_MOUNT);
		if (!r)
			r = nsbox_config_map_caller(cfg, NSBOX_MAP_ROOT);
		if (!r)
			r = nsbox_config_set_hostname(cfg, HOSTNAME);
	} else if (r == 0 && strcmp(config_name, "multimap") == 0) {
		r = nsbox_config_set_namespaces(cfg, NSBOX_NS_USER);
		if (!r)
			r = nsbox_config_add_uid_map(cfg, 0, 0, 1);
		if (!r)
			r = nsbox_config_add_uid_map(cfg, 1, 100000, 1000);
		if (!r)
			r = nsbox_config_add_gid_map(cfg, 0, 0, 1);
		if (!r)
			r = nsbox_config_add_gid_map(cfg, 1, 100000, 1000);
	} else if (r == 0 && strcmp(config_name, "joinpid") == 0) {
		static char stack[64 * 1024] __attribute__((aligned(16)));

		join_target = clone(target_main, stack + sizeof(stack),
		                    CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD, NULL);
		if (join_target < 0) {
			perror("clone target");
			exit(2);
		}
		r = nsbox_config_join_pid(cfg, join_target, NSBOX_NS_PID | NSBOX_NS_UTS | NSBOX_NS_IPC);
	} else if (r == 0 && strcmp(config_name, "nestedpid") == 0) {
		/* a new PID namespace inside a joined one: the payload's pidfd comes
		 * back over a socket */
		static char stack[64 * 1024] __attribute__((aligned(16)));

		join_target = clone(target_main, stack + sizeof(stack),
		                    CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD, NULL);
		if (join_target < 0) {
			perror("clone target");
			exit(2);
		}
		r = nsbox_config_join_pid(cfg, join_target, NSBOX_NS_PID | NSBOX_NS_UTS | NSBOX_NS_IPC);
		if (!r)
			r = nsbox_config_set_namespaces(cfg, NSBOX_NS_PID);
	} else if (r == 0 && strcmp(config_name, "noclone3") == 0) {
		/* the clone(2) path */
		r = nsbox_config_set_namespaces(cfg, NSBOX_NS_UTS);
		if (!r)
			r = nsbox_config_set_hostname(cfg, HOSTNAME);
		if (!r)
			r = nsbox_config_set_flags(cfg, NSBOX_SPAWN_NO_CLONE3);
	} else if (r == 0 && strcmp(config_name, "callback") == 0) {
		r = nsbox_config_set_namespaces(cfg, NSBOX_NS_PID | NSBOX_NS_UTS);
		if (!r)
			r = nsbox_config_set_hostname(cfg, HOSTNAME);
		if (!r)
			r = nsbox_config_set_callback(cfg, callback, NULL);
	} else if (r == 0) {
		fprintf(stderr, "fault-driver: unknown configuration %s\n", config_name);
		exit(2);
	}
	if (r == 0 && strcmp(config_name, "callback") != 0)
		r = nsbox_config_set_exec(cfg, payload_path, argv, NULL);
	if (r < 0) {
		fprintf(stderr, "fault-driver: config: %s\n", nsbox_last_error());
		exit(2);
	}
	return cfg;
}

/* Kill and reap every process left below D (orphans come to us). */
static void reap_all(void)
{
	long end = now_ms() + 5000;

	for (;;) {
		char path[64], text[4096], *p, *q;
		int any = 0;
		pid_t w;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
		if (read_file(path, text, sizeof(text)) > 0)
			for (p = text;; p = q) {
				long v = strtol(p, &q, 10);

				if (q == p)
					break;
				kill((pid_t)v, SIGKILL);
				any = 1;
			}
		while ((w = waitpid(-1, NULL, WNOHANG | __WALL)) > 0)
			;
		if ((!any && w < 0) || now_ms() > end)
			break;
		usleep(1000);
	}
}

int main(int argc, char **argv)
{
	static char fds_before[16384], fds_after[16384], maps_before[1 << 17], maps_after[1 << 17];
	static char diff1[8192], diff2[8192], diff3[8192], diff4[8192];
	char line[64], why[512] = "", blk[32], ign[32], cgt[32], wblk[32], wign[32], wcgt[32], children[512];
	const char *hang = "";
	nsbox_config *cfg;
	struct sigaction sa;
	sigset_t set;
	pid_t w;

	if (argc != 3) {
		fprintf(stderr, "usage: fault-driver CONFIG PAYLOAD\n");
		return 2;
	}
	config_name = argv[1];
	payload_path = realpath(argv[2], NULL); /* compared with /proc/PID/exe */
	if (!payload_path) {
		perror(argv[2]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		return 2;

	/* A non-trivial signal state for W to keep: a blocked signal, a
	 * handler, an ignored signal. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);

	cfg = build_config();
	status_field(getpid(), "SigBlk", blk, sizeof(blk));
	status_field(getpid(), "SigIgn", ign, sizeof(ign));
	status_field(getpid(), "SigCgt", cgt, sizeof(cgt));
	fd_list(0, fds_before, sizeof(fds_before));
	fflush(NULL);
	w = fork();
	if (w < 0)
		return 2;
	if (w == 0)
		worker(cfg);
	maps_of(w, maps_before, sizeof(maps_before));
	printf("W %d\n", (int)w);
	if (!fgets(line, sizeof(line), stdin) || strncmp(line, "go", 2) != 0) {
		kill(w, SIGKILL);
		reap_all();
		return 2;
	}
	atomic_store(&shm->go, 1);

	if (!wait_phase(1, 15000)) {
		hang = "spawn";
	} else {
		if (atomic_load(&shm->phase) == 1) {
			check_payload(shm->payload_pid, why, sizeof(why));
			atomic_store(&shm->phase, 2);
			if (!wait_phase(3, 15000))
				hang = "wait";
		}
	}
	if (!hang[0]) {
		char path[64];

		fd_list(w, fds_after, sizeof(fds_after));
		line_diff(fds_after, fds_before, diff1, sizeof(diff1)); /* opened */
		line_diff(fds_before, fds_after, diff2, sizeof(diff2)); /* closed */
		maps_of(w, maps_after, sizeof(maps_after));
		line_diff(maps_after, maps_before, diff3, sizeof(diff3));
		line_diff(maps_before, maps_after, diff4, sizeof(diff4));
		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)w, (int)w);
		read_file(path, children, sizeof(children));
		status_field(w, "SigBlk", wblk, sizeof(wblk));
		status_field(w, "SigIgn", wign, sizeof(wign));
		status_field(w, "SigCgt", wcgt, sizeof(wcgt));
	} else {
		children[0] = wblk[0] = wign[0] = wcgt[0] = '\0';
	}
	for (char *c = children + strlen(children); c > children && (c[-1] == ' ' || c[-1] == '\n'); c--)
		c[-1] = '\0';

	printf("VERDICT {");
	json_str("config", config_name, 1);
	json_str("hang", hang, 1);
	printf("\"spawn_ret\": %d, ", shm->spawn_ret);
	json_str("spawn_err", shm->spawn_err, 1);
	json_str("payload_problem", why, 1);
	printf("\"wait_ret\": %d, \"status\": %d, ", shm->wait_ret, shm->status);
	json_str("wait_err", shm->wait_err, 1);
	printf("\"fds_opened\": [%s], \"fds_closed\": [%s], ", diff1, diff2);
	printf("\"maps_added\": [%s], \"maps_removed\": [%s], ", diff3, diff4);
	json_str("children", children, 1);
	printf("\"signals_same\": %s", !hang[0] && strcmp(blk, wblk) == 0 && strcmp(ign, wign) == 0 &&
	                                   strcmp(cgt, wcgt) == 0 ? "true" : hang[0] ? "null" : "false");
	if (!hang[0] && (strcmp(blk, wblk) || strcmp(ign, wign) || strcmp(cgt, wcgt)))
		printf(", \"signals\": \"SigBlk %s -> %s, SigIgn %s -> %s, SigCgt %s -> %s\"", blk, wblk, ign, wign, cgt,
		       wcgt);
	printf("}\n");
	kill(w, SIGKILL);
	reap_all();
	nsbox_config_free(cfg);
	return 0;
}
