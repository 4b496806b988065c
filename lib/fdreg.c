/* SPDX-License-Identifier: MIT
 * The descriptors that spawns in progress hold (pipes, namespace and cgroup
 * directories), so that a fork-style child of one spawn can close those of
 * the others.
 *
 * Why: a callback child (or a PID 1 init) is a copy of the caller made
 * while other threads may be in the middle of their own spawns. It would
 * keep their close-on-exec pipes open for as long as it runs, since it never
 * execs, and their nsbox_spawn() would wait for end of file that long. Every
 * such descriptor is registered here while its spawn needs it; fork-style
 * clones happen under the read lock, so the registry a child finds in its
 * copy of memory lists exactly the foreign descriptors in its copy of the
 * descriptor table. (A plain fork() elsewhere in the program is not ours to
 * see: see README, "Threads".) */
#include <pthread.h>
#include <unistd.h>
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
#include <sys/single_threaded.h>
#define ONE_THREAD() __libc_single_threaded
#else
#define ONE_THREAD() 0
#endif

#include "nsbox-private.h"

/* fd + 1, 0 for a free slot (zero-initialised). */
int nsbox__fdreg[NSBOX_FDREG_MAX];
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;

/* With one thread no other spawn can be under way: no lock to take, and
 * none whose page a fork-style clone would make the caller fault on again.
 * (glibc tells; elsewhere the lock is always taken.) Returns whether it
 * took the lock, for nsbox__fdreg_unlock. */
int nsbox__fdreg_lock(int write)
{
	if (ONE_THREAD())
		return 0;
	if (write)
		pthread_rwlock_wrlock(&lock);
	else
		pthread_rwlock_rdlock(&lock);
	return 1;
}

void nsbox__fdreg_unlock(int locked)
{
	if (locked)
		pthread_rwlock_unlock(&lock);
}

void nsbox__fdreg_add_locked(int fd)
{
	if (fd < 0)
		return;
	for (int i = 0; i < NSBOX_FDREG_MAX; i++)
		if (nsbox__fdreg[i] == 0) {
			nsbox__fdreg[i] = fd + 1;
			return;
		}
	/* Full (more than NSBOX_FDREG_MAX descriptors in concurrent spawns):
	 * the descriptor stays unlisted; a concurrent callback child may keep
	 * it, which only delays that other spawn. */
}

static void remove_locked(int fd)
{
	for (int i = 0; i < NSBOX_FDREG_MAX; i++)
		if (nsbox__fdreg[i] == fd + 1) {
			nsbox__fdreg[i] = 0;
			return;
		}
}

/* Unlist, then close, under the lock: the number must not be reused by
 * someone else's open while it is still listed. */
void nsbox__fdreg_close(int *fd)
{
	int locked;

	if (*fd < 0)
		return;
	locked = nsbox__fdreg_lock(1);
	remove_locked(*fd);
	close(*fd);
	nsbox__fdreg_unlock(locked);
	*fd = -1;
}
