/*
 * call-all.c - call every function that include/nsbox.h declares.
 *
 * SPDX-License-Identifier: MIT
 *
 * This file is the proof that the public API needs no macro: it uses no
 * NSBOX_* macro at all (test-symbols.py checks that, and that every function
 * of the header is called here), only the functions, the opaque types and
 * plain integer values, as a ctypes or Rust extern "C" user would. It is
 * compiled as C99 with -pedantic and linked against the built libnsbox.so.
 *
 * Every call but the namespace identity queries passes arguments that the
 * header documents as invalid, so that the program changes nothing on the
 * host: it must get exactly -EINVAL back.
 *
 * Usage: abi-call-all EXPECTED_VERSION
 */
#include <nsbox.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int failures;

static void expect_int(const char *what, long got, long want)
{
	if (got != want) {
		fprintf(stderr, "FAIL %s: returned %ld, expected %ld (last error: \"%s\")\n",
		        what, got, want, nsbox_last_error());
		failures++;
	} else {
		printf("ok   %s = %ld\n", what, got);
	}
}

#define EXPECT(call, want) expect_int(#call, (long)(call), (long)(want))

static int payload(void *arg)
{
	(void)arg;
	return 0;
}

static int parent_hook(int32_t pid, int32_t pidfd, void *arg)
{
	(void)pid;
	(void)pidfd;
	(void)arg;
	return 0;
}

int main(int argc, char **argv)
{
	const char *version;
	const char *err;
	nsbox_config *cfg = NULL;
	nsbox_proc *proc = NULL;
	static const char *const args[] = { "/bin/true", NULL };
	uint64_t dev = 0, ino = 0;
	struct stat st;
	int32_t status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s EXPECTED_VERSION\n", argv[0]);
		return 2;
	}

	version = nsbox_version();
	if (version == NULL || strcmp(version, argv[1]) != 0) {
		fprintf(stderr, "FAIL nsbox_version() = \"%s\", expected \"%s\"\n",
		        version ? version : "(null)", argv[1]);
		failures++;
	} else {
		printf("ok   nsbox_version() = \"%s\"\n", version);
	}

	/* Configuration functions: a NULL configuration is -EINVAL. */
	EXPECT(nsbox_config_new(NULL), -EINVAL);
	err = nsbox_last_error();
	if (err == NULL) {
		fprintf(stderr, "FAIL nsbox_last_error() returned NULL\n");
		failures++;
	} else {
		printf("ok   nsbox_last_error() = \"%s\"\n", err);
	}
	nsbox_config_free(NULL);
	EXPECT(nsbox_feature_supported(0), -EINVAL);
	EXPECT(nsbox_config_set_namespaces(NULL, 0x02), -EINVAL);
	EXPECT(nsbox_config_set_hostname(NULL, "abi"), -EINVAL);
	EXPECT(nsbox_config_set_domainname(NULL, "abi"), -EINVAL);
	EXPECT(nsbox_config_add_uid_map(NULL, 0, 0, 1), -EINVAL);
	EXPECT(nsbox_config_add_gid_map(NULL, 0, 0, 1), -EINVAL);
	EXPECT(nsbox_config_set_setgroups(NULL, 0), -EINVAL);
	EXPECT(nsbox_config_map_caller(NULL, 0), -EINVAL);
	EXPECT(nsbox_config_set_exec(NULL, "/bin/true", args, NULL), -EINVAL);
	EXPECT(nsbox_config_set_callback(NULL, payload, NULL), -EINVAL);
	EXPECT(nsbox_config_set_stack(NULL, NULL, 0), -EINVAL);
	EXPECT(nsbox_config_set_stack_size(NULL, 65536), -EINVAL);
	EXPECT(nsbox_config_set_propagation(NULL, 0), -EINVAL);
	EXPECT(nsbox_config_set_mount_proc(NULL, 0), -EINVAL);
	EXPECT(nsbox_config_join(NULL, 0, 0x02), -EINVAL);
	EXPECT(nsbox_config_join_pid(NULL, 1, 0x02), -EINVAL);
	EXPECT(nsbox_config_join_path(NULL, "/proc/self/ns/uts", 0x02), -EINVAL);
	EXPECT(nsbox_config_set_exit_signal(NULL, 0), -EINVAL);
	EXPECT(nsbox_config_set_flags(NULL, 0), -EINVAL);
	EXPECT(nsbox_config_set_ids(NULL, 0, 0), -EINVAL);
	EXPECT(nsbox_config_set_groups(NULL, NULL, 0), -EINVAL);
	EXPECT(nsbox_config_set_caps(NULL, 0), -EINVAL);
	EXPECT(nsbox_config_set_no_new_privs(NULL, 0), -EINVAL);
	EXPECT(nsbox_config_set_seccomp(NULL, NULL, 0), -EINVAL);
	EXPECT(nsbox_config_set_cgroup(NULL, NULL), -EINVAL);
	EXPECT(nsbox_config_set_time_offset(NULL, 1, 0, 0), -EINVAL);
	EXPECT(nsbox_config_set_parent_hook(NULL, parent_hook, NULL), -EINVAL);
	EXPECT(nsbox_config_check(NULL), -EINVAL);
	EXPECT(nsbox_config_add_bind(NULL, "/", "/mnt", 0), -EINVAL);
	EXPECT(nsbox_config_add_tmpfs(NULL, "/tmp", 0, 01777), -EINVAL);
	EXPECT(nsbox_config_add_proc(NULL, "/proc"), -EINVAL);
	EXPECT(nsbox_config_add_sysfs(NULL, "/sys"), -EINVAL);
	EXPECT(nsbox_config_add_dev(NULL, "/dev"), -EINVAL);
	EXPECT(nsbox_config_add_mqueue(NULL, "/dev/mqueue"), -EINVAL);
	EXPECT(nsbox_config_add_dir(NULL, "/run", 0755), -EINVAL);
	EXPECT(nsbox_config_add_symlink(NULL, "usr/bin", "/bin"), -EINVAL);
	EXPECT(nsbox_config_add_file(NULL, "/etc/hostname", "abi\n", 4, 0644), -EINVAL);
	EXPECT(nsbox_config_add_remount_ro(NULL, "/"), -EINVAL);
	EXPECT(nsbox_config_set_root(NULL, "/", 0), -EINVAL);
	EXPECT(nsbox_config_clear_mounts(NULL), -EINVAL);
	EXPECT(nsbox_config_set_loopback(NULL, 1), -EINVAL);
	EXPECT(nsbox_config_add_veth(NULL, "nsbox-abi0", "eth0"), -EINVAL);
	EXPECT(nsbox_config_add_address(NULL, "eth0", "10.0.0.1/24"), -EINVAL);
	EXPECT(nsbox_config_set_init(NULL, 0), -EINVAL);
	EXPECT(nsbox_config_set_die_with_parent(NULL, 0), -EINVAL);
	EXPECT(nsbox_config_set_session(NULL, 0), -EINVAL);
	EXPECT(nsbox_config_set_cwd(NULL, "/"), -EINVAL);
	EXPECT(nsbox_config_clearenv(NULL), -EINVAL);
	EXPECT(nsbox_config_setenv(NULL, "NSBOX_ABI", "1"), -EINVAL);
	EXPECT(nsbox_config_add_fd(NULL, 0, 0), -EINVAL);
	EXPECT(nsbox_config_set_close_fds(NULL, 0), -EINVAL);
	EXPECT(nsbox_config_add_rlimit(NULL, 7, 1024, 1024), -EINVAL);
	EXPECT(nsbox_config_set_signal_mask(NULL, 0), -EINVAL);
	EXPECT(nsbox_config_set_signal_reset(NULL, 0), -EINVAL);

	/* A real configuration with reserved bits set: -EINVAL as well. */
	EXPECT(nsbox_config_new(&cfg), 0);
	if (cfg != NULL) {
		EXPECT(nsbox_config_set_namespaces(cfg, 0x80000000u), -EINVAL);
		EXPECT(nsbox_config_set_flags(cfg, 0x80000000u), -EINVAL);
		/* No payload: nothing is spawned. */
		EXPECT(nsbox_config_check(cfg), -EINVAL);
		EXPECT(nsbox_spawn(cfg, &proc), -EINVAL);
		if (proc != NULL) {
			fprintf(stderr, "FAIL nsbox_spawn() failed but set its out-parameter\n");
			failures++;
		}
	}
	nsbox_config_free(cfg);

	/* Spawn and process handle functions. */
	EXPECT(nsbox_spawn(NULL, &proc), -EINVAL);
	EXPECT(nsbox_proc_pid(NULL), -EINVAL);
	EXPECT(nsbox_proc_pidfd(NULL), -EINVAL);
	EXPECT(nsbox_proc_wait(NULL, 0, &status), -EINVAL);
	EXPECT(nsbox_proc_kill(NULL, 0), -EINVAL);
	nsbox_proc_free(NULL);

	/* Joining and detaching the caller: empty masks and reserved bits. */
	EXPECT(nsbox_join(-1, 0), -EINVAL);
	EXPECT(nsbox_join_pid(0, 0x02), -EINVAL);
	EXPECT(nsbox_join_path(NULL, 0), -EINVAL);
	EXPECT(nsbox_detach(0), -EINVAL);
	EXPECT(nsbox_detach_user(0x100, 0x80000000u), -EINVAL);

	/* Persistence: no kind and no path. */
	EXPECT(nsbox_persist(0, 0, NULL), -EINVAL);
	EXPECT(nsbox_unpersist(NULL), -EINVAL);

	/* Namespace identity: the one query that does real work here. */
	EXPECT(nsbox_ns_id(0, 0, &dev, &ino), -EINVAL);
	EXPECT(nsbox_ns_id(0, 0x02, &dev, &ino), 0);
	if (stat("/proc/self/ns/uts", &st) == 0) {
		if ((uint64_t)st.st_ino != ino || (uint64_t)st.st_dev != dev) {
			fprintf(stderr, "FAIL nsbox_ns_id(uts) = %llu:%llu, /proc/self/ns/uts is %llu:%llu\n",
			        (unsigned long long)dev, (unsigned long long)ino,
			        (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
			failures++;
		}
	}
	EXPECT(nsbox_ns_same(0, 0, 0x02), 1);

	if (failures) {
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	return 0;
}
