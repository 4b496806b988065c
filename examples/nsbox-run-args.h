/*
 * nsbox-run-args.h - the command line of nsbox-run, apart from main().
 *
 * run_args_parse() turns argv into a struct run_args and does nothing else:
 * it prints nothing, exits never, allocates nothing and touches no file, so
 * tests and fuzzers can call it again and again. Every string it keeps
 * points into argv; lists (mount operations, veth pairs, ...) are fixed-size
 * arrays with the maxima below. run_args_apply() then writes a parsed
 * command line into an nsbox_config.
 *
 * Descriptors named on the command line (--file FD, --seccomp FD) are not
 * read by either: the program reads them between the two and stores what it
 * read in the struct (run_mount_op.data/.len/.loaded, seccomp/seccomp_len/
 * seccomp_loaded), as nsbox-run.c does.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef NSBOX_RUN_ARGS_H
#define NSBOX_RUN_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <nsbox.h>

/* Most filesystem options (--bind ... --file) on one command line. */
#define RUN_MOUNT_OPS_MAX 256
/* Most --veth and --addr options: the library's limits. */
#define RUN_VETH_MAX NSBOX_VETH_MAX
#define RUN_ADDR_MAX NSBOX_ADDRESS_MAX
/* Most --setenv/--unsetenv/--clearenv options. */
#define RUN_ENV_MAX 256
/* Most --rlimit options (one per resource; a later one replaces). */
#define RUN_RLIMIT_MAX 16
/* Longest --seccomp program, in bytes (BPF_MAXINSNS instructions of 8). */
#define RUN_SECCOMP_MAX (4096 * 8)
/* Longest --file contents nsbox-run reads, in bytes. */
#define RUN_FILE_MAX (64 * 1024 * 1024)

enum run_action {
	RUN_SPAWN = 0, /* run the command */
	RUN_HELP,      /* -h, --help */
	RUN_VERSION    /* -V, --version */
};

/* One filesystem option, in command-line order. */
enum run_mount_kind {
	RUN_MNT_BIND = 1,  /* --bind, --ro-bind, --dev-bind and their -try forms */
	RUN_MNT_TMPFS,     /* --tmpfs (with --size, --perms) */
	RUN_MNT_PROC,      /* --proc */
	RUN_MNT_SYSFS,     /* --sysfs */
	RUN_MNT_DEV,       /* --dev */
	RUN_MNT_MQUEUE,    /* --mqueue */
	RUN_MNT_DIR,       /* --dir (with --perms) */
	RUN_MNT_SYMLINK,   /* --symlink */
	RUN_MNT_REMOUNT_RO,/* --remount-ro */
	RUN_MNT_FILE       /* --file (with --perms) */
};

struct run_mount_op {
	enum run_mount_kind kind;
	const char *src;  /* bind source, symlink text; NULL otherwise */
	const char *dest; /* target path */
	uint32_t flags;   /* NSBOX_BIND_* of a bind */
	uint32_t mode;    /* tmpfs, dir, file: --perms, else 0755 (file: 0666) */
	uint64_t size;    /* tmpfs: --size, else 0 (the kernel's default) */
	int32_t fd;       /* file: the descriptor to read */
	/* file: its contents, filled in by the caller after parsing */
	const void *data;
	size_t len;
	int loaded;
};

struct run_veth {
	const char *spec; /* "HOST:CHILD" in argv */
	size_t host_len;  /* length of HOST; CHILD is at spec + host_len + 1 */
};

enum run_env_kind {
	RUN_ENV_SET = 1, /* --setenv VAR VALUE */
	RUN_ENV_UNSET,   /* --unsetenv VAR */
	RUN_ENV_CLEAR    /* --clearenv: forget everything before */
};

struct run_env {
	enum run_env_kind kind;
	const char *name;  /* points into argv; NULL for RUN_ENV_CLEAR */
	const char *value; /* RUN_ENV_SET only */
};

struct run_rlimit {
	uint32_t resource; /* NSBOX_RLIMIT_* */
	uint64_t soft, hard;
};

struct run_args {
	enum run_action action;
	uint32_t ns;          /* NSBOX_NS_* kinds to create */
	int map_root;         /* -r, --map-root-user, --map-root */
	int map_user_set;     /* --map-user=UID given */
	uint32_t map_user;
	int map_group_set;    /* --map-group=GID given */
	uint32_t map_group;
	int mount_proc;       /* --mount-proc */
	const char *hostname; /* --hostname, points into argv; NULL if not given */
	const char *domainname;
	int32_t join_pid;     /* --join=PID, 0 if not given */
	int join_ns_set;      /* --join-ns given; else join every kind that differs */
	uint32_t join_ns;
	int propagation_set;  /* --propagation given */
	uint32_t propagation; /* NSBOX_PROPAGATION_* */
	uint32_t flags;       /* NSBOX_SPAWN_* */
	int exit_signal_set;  /* --exit-signal given */
	int32_t exit_signal;

	/* Filesystem. Any of these makes a new root (and implies -m). */
	int new_root;             /* a filesystem option, --root or --root-ro given */
	const char *root_dir;     /* --root DIR; NULL: a fresh tmpfs */
	uint32_t root_flags;      /* NSBOX_ROOT_RO with --root-ro */
	size_t n_mounts;
	struct run_mount_op mounts[RUN_MOUNT_OPS_MAX];

	/* Network. */
	int no_loopback;          /* --no-loopback */
	size_t n_veth;
	struct run_veth veth[RUN_VETH_MAX];
	size_t n_addr;
	const char *addr[RUN_ADDR_MAX]; /* "IF=CIDR" in argv */

	/* Process. */
	int init;                 /* --init */
	int as_pid_1;             /* --as-pid-1 (the default, said explicitly) */
	int die_with_parent;      /* --die-with-parent */
	int new_session;          /* --new-session */
	const char *chdir;        /* --chdir DIR */
	size_t n_env;             /* --setenv, --unsetenv, --clearenv, in order */
	struct run_env env[RUN_ENV_MAX];
	int close_fds;            /* --close-fds */
	size_t n_rlimit;
	struct run_rlimit rlimit[RUN_RLIMIT_MAX];

	/* Credentials and confinement. */
	int uid_set;              /* --uid UID */
	uint32_t uid;
	int gid_set;              /* --gid GID */
	uint32_t gid;
	int caps_set;             /* a --cap-add or --cap-drop given */
	uint64_t caps_add;        /* bit N: capability N added after its last drop */
	uint64_t caps_drop;       /* bit N: dropped after its last add (ALL: every bit) */
	uint64_t caps_named;      /* bits named one by one (not by ALL) in a --cap-add */
	int no_new_privs;         /* --no-new-privs */
	int32_t seccomp_fd;       /* --seccomp FD, -1 if not given */
	/* the program read from seccomp_fd, filled in by the caller */
	const void *seccomp;
	size_t seccomp_len;
	int seccomp_loaded;

	/* Cgroups and time. */
	const char *cgroup_path;  /* --cgroup-path DIR */
	int monotonic_set;        /* --monotonic SECONDS (implies -T) */
	int64_t monotonic_s, monotonic_ns;
	int boottime_set;         /* --boottime SECONDS (implies -T) */
	int64_t boottime_s, boottime_ns;

	char **cmd;           /* the command and its arguments (points into argv), NULL if none */
};

/*
 * Parse argv[1..argc-1] into @args (overwritten whole). Options end at the
 * first non-option or at "--"; the rest is the command. Uses getopt_long()
 * and resets its global state first; options with two arguments (--bind SRC
 * DEST) take the second from the next element of argv.
 * Returns 0, or -1 with a message (without "nsbox-run: ") in @err.
 */
int run_args_parse(struct run_args *args, int argc, char **argv, char *err, size_t errsize);

/*
 * Write @args into @cfg: namespaces, maps, names, joins, flags, mount
 * operations in command-line order, network, process, credentials, cgroup
 * and time settings, and the exec payload @path with @argv (the command,
 * already looked up in PATH). With --join and no --join-ns, reads which
 * namespaces of the target differ from ours; with --cap-add/--cap-drop,
 * reads /proc/sys/kernel/cap_last_cap. A --file or --seccomp whose
 * descriptor the caller has not read (loaded == 0) is an error.
 * Returns 0, or a negative errno value with a message in @err.
 */
int run_args_apply(const struct run_args *args, const char *path, char *const *argv,
                   nsbox_config *cfg, char *err, size_t errsize);

/* Print the --help text to @out. */
void run_args_usage(FILE *out);

#endif /* NSBOX_RUN_ARGS_H */
