#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fault injection over the spawn path: every occurrence of every system
call of the library's path, failed once with strace, must make the public
call fail with that errno (naming the step) or, where the failure is
harmless, succeed with a payload that is what the configuration asked for;
and in both cases leave the caller as it was.

    test-faults.py DRIVER PAYLOAD [--configs=plain,userroot,...]
                   [--only=SYSCALL[:ERRNO[:N]]] [-v]

--only runs just the matching injection points (to reproduce one);
-v prints every row as it runs, not only the failures.

Configurations (fault-driver.c): plain (exec, CLONE_VM|CLONE_VFORK),
userroot (user+uts+mount, the child writes its maps, sets the hostname,
makes / private), multimap (two-line maps the parent writes while the
child waits), joinpid (join pid+uts+ipc by pid: setns, one more fork),
nestedpid (a new PID namespace inside the joined one: the payload's pidfd
comes back over a socket), callback (pid+uts, fork-style), noclone3
(NSBOX_SPAWN_NO_CLONE3: the clone(2) path). The system calls enumerated:
SYSCALLS below, i.e. the issue's list plus recvmsg/sendmsg of the nested
PID path.

How (see fault-driver.c for the process layout):
 1. Baseline: run the driver, attach `strace -f -p W -e trace=SET` to its
    worker, and count, for each traced process (the worker and each child
    of the library), the calls of each system call of SET up to that
    process's successful execve (the payload after it calls only pause(2)).
    strace counts `when=N` per process from the moment it traces it, so the
    Nth call in a process of the trace is `when=N`.
 2. For each system call S and each N from 1 to the largest count of S in
    any process, run again with `-e inject=S:error=E:when=N` (E a failure
    the kernel can return for S) and judge the driver's verdict. Every
    process that reaches its Nth call of S gets the failure.
 3. Print a table: config, syscall, occurrence, where it was injected,
    what the public call returned, the step text, the verdict.

Verdicts:
  error      nsbox_spawn returned -E, the description contains strerror(E),
             nothing leaked                                    (pass)
  ignored    nsbox_spawn succeeded and the payload is exactly what was
             asked for (namespaces, maps, hostname), nothing leaked (pass)
  FAIL ...   anything else: another errno, a silent failure (success but
             no or a wrong payload), a hang, a leaked fd/child/mapping or
             a changed signal state.
strace does not run a call it fails, so what that call itself would have
done is not counted against the library: an injected close(2) leaves its
descriptor open (Linux releases it even when close fails), an injected
munmap(2) leaves its mapping, an injected rt_sigprocmask(2) in the caller
leaves the mask it should have set (it fails only for invalid arguments;
nothing can repair a failed restore). A hang caused by a descriptor that
strace kept open is reported as "artifact", not as a failure.

Exit status: 0 all pass, 1 any FAIL, 77 skip (no strace, not root).
"""
import errno as errno_mod
import json
import os
import re
import subprocess
import sys
import tempfile
import time

SYSCALLS = ['clone3', 'clone', 'mmap', 'munmap', 'mprotect', 'pipe2', 'socketpair', 'read', 'write',
            'openat', 'close', 'setns', 'unshare', 'mount', 'sethostname', 'execve', 'pidfd_open',
            'prctl', 'rt_sigprocmask', 'recvmsg', 'sendmsg']

# One failure per call that the kernel really returns for it.
ERRNO = {
    'clone3': 'EAGAIN', 'clone': 'EAGAIN', 'mmap': 'ENOMEM', 'munmap': 'ENOMEM', 'mprotect': 'ENOMEM',
    'pipe2': 'EMFILE', 'socketpair': 'EMFILE', 'read': 'EIO', 'write': 'EIO', 'openat': 'EMFILE',
    'close': 'EIO', 'setns': 'EPERM', 'unshare': 'ENOSPC', 'mount': 'EPERM', 'sethostname': 'EPERM',
    'execve': 'EACCES', 'pidfd_open': 'EMFILE', 'prctl': 'EINVAL', 'rt_sigprocmask': 'EINVAL',
    'recvmsg': 'EIO', 'sendmsg': 'ENOBUFS',
}
# clone3 refused as by an old kernel or a seccomp filter: the library falls
# back to clone(2) and must succeed.
EXTRA = [('clone3', 'ENOSYS'), ('clone3', 'EPERM')]

CONFIGS = ['plain', 'userroot', 'multimap', 'joinpid', 'nestedpid', 'callback', 'noclone3']

LINE = re.compile(r'^(\d+)\s+(?:<\.\.\. (\w+) resumed>(.*)|(\w+)\((.*))$')


def skip(reason):
    if os.environ.get('NSBOX_TEST_MUST_WORK') == '1':
        print('FAIL: %s (NSBOX_TEST_MUST_WORK=1 turns this skip into a failure)' % reason)
        sys.exit(1)
    print('SKIP: %s' % reason)
    sys.exit(77)


def which(cmd):
    for d in os.environ.get('PATH', '/usr/bin:/bin').split(':') + ['/usr/bin', '/bin']:
        p = os.path.join(d, cmd)
        if os.access(p, os.X_OK):
            return p
    return None


def tracer_of(pid):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('TracerPid:'):
                    return int(line.split()[1])
    except OSError:
        return -1
    return 0


class Run:
    """One driver run under strace; fills .verdict, .trace, .wpid."""

    def __init__(self, strace, driver, payload, config, args):
        self.verdict = None
        self.trace = ''
        self.problem = ''
        fd, path = tempfile.mkstemp(prefix='nsbox-faults-')
        os.close(fd)
        d = subprocess.Popen([driver, config, payload], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        s = None
        try:
            first = d.stdout.readline().split()
            if len(first) != 2 or first[0] != 'W':
                self.problem = 'driver did not start: %r %s' % (first, d.stderr.read())
                return
            self.wpid = int(first[1])
            s = subprocess.Popen([strace, '-f', '-qq', '-p', str(self.wpid), '-o', path] + args,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            end = time.monotonic() + 10
            while tracer_of(self.wpid) != s.pid:
                if time.monotonic() > end or s.poll() is not None:
                    self.problem = 'strace did not attach: %s' % (s.stderr.read() if s.poll() is not None else '')
                    return
                time.sleep(0.002)
            time.sleep(0.05)  # let strace finish its attach stop
            d.stdin.write('go\n')
            d.stdin.flush()
            out, err = d.communicate(timeout=90)
            for line in out.splitlines():
                if line.startswith('VERDICT '):
                    self.verdict = json.loads(line[8:])
            if self.verdict is None:
                self.problem = 'no verdict; driver said %r %r' % (out, err)
        except subprocess.TimeoutExpired:
            self.problem = 'driver timed out'
        finally:
            if d.poll() is None:
                d.kill()
                d.wait()
            if s is not None:
                try:
                    s.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    s.kill()
                    s.wait()
            with open(path, errors='replace') as f:
                self.trace = f.read()
            os.unlink(path)


def count_calls(trace, wpid):
    """{pid: {syscall: n}} up to each process's successful execve, and the
    order in which processes appear (W first)."""
    counts, order, pending_exec, done = {}, [], set(), set()
    for line in trace.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        pid = int(m.group(1))
        if pid not in counts:
            counts[pid] = {}
            order.append(pid)
        if pid in done:
            continue
        if m.group(2):  # resumed
            if m.group(2) == 'execve' and pid in pending_exec:
                pending_exec.discard(pid)
                if re.search(r'= 0$', m.group(3).strip()):
                    done.add(pid)
            continue
        name, rest = m.group(4), m.group(5)
        counts[pid][name] = counts[pid].get(name, 0) + 1
        if name == 'execve':
            if rest.endswith('<unfinished ...>'):
                pending_exec.add(pid)
            elif re.search(r'= 0$', rest.strip()):
                done.add(pid)
    if wpid in order:
        order.remove(wpid)
        order.insert(0, wpid)
    return counts, order


def injected_calls(trace):
    """[(pid, 'name(args...')] of the calls strace failed, joining an
    "<unfinished ...>" line with its "<... resumed>" line."""
    out, open_calls = [], {}
    for line in trace.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        pid = int(m.group(1))
        if m.group(2):
            text = open_calls.pop(pid, m.group(2) + '(') + m.group(3)
        else:
            text = m.group(4) + '(' + m.group(5)
            if text.endswith('<unfinished ...>'):
                open_calls[pid] = text[:-len('<unfinished ...>')]
                continue
        if '(INJECTED)' in text:
            out.append((pid, text))
    return out


def role(pid, order, wpid):
    if pid == wpid:
        return 'parent'
    kids = [p for p in order if p != wpid]
    return 'child%d' % (kids.index(pid) + 1) if pid in kids else 'child?'


def judge(call, err, v, injected_w_close_fds, excused):
    """(passed, verdict word, detail)."""
    e = getattr(errno_mod, err)
    if v['hang']:
        if call == 'close':
            return True, 'artifact', 'hang in %s: a descriptor strace did not close' % v['hang']
        return False, 'FAIL hang', 'hung in %s' % v['hang']
    leaks = []
    opened = [f for f in v['fds_opened'] if int(f.split(' ')[0]) not in injected_w_close_fds]
    if opened:
        leaks.append('fds opened %s' % opened)
    if v['fds_closed']:
        leaks.append('fds closed %s' % v['fds_closed'])
    if v['children']:
        leaks.append('children left [%s]' % v['children'])
    if v['signals_same'] is False and 'sigmask' not in excused:
        leaks.append('signal state changed (%s)' % v.get('signals', ''))
    if (v['maps_added'] or v['maps_removed']) and 'maps' not in excused:
        leaks.append('mappings changed +%s -%s' % (v['maps_added'], v['maps_removed']))
    if leaks:
        return False, 'FAIL leak', '; '.join(leaks)
    r = v['spawn_ret']
    if r == -e:
        if os.strerror(e) not in v['spawn_err'] or ':' not in v['spawn_err']:
            return False, 'FAIL text', 'description "%s" lacks the step or "%s"' % (v['spawn_err'], os.strerror(e))
        return True, 'error', ''
    if r == 0:
        if v['payload_problem']:
            return False, 'FAIL silent', 'nsbox_spawn succeeded but %s' % v['payload_problem']
        if v['wait_ret'] != 0 or v['status'] != 9:
            return False, 'FAIL wait', 'nsbox_proc_wait returned %d status %d: %s' % (
                v['wait_ret'], v['status'], v['wait_err'])
        return True, 'ignored', ''
    name = errno_mod.errorcode.get(-r, str(r))
    return False, 'FAIL errno', 'returned -%s, injected %s: %s' % (name, err, v['spawn_err'])


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('-')]
    verbose = '-v' in sys.argv
    configs = CONFIGS
    only = None
    for a in sys.argv[1:]:
        if a.startswith('--configs='):
            configs = a.split('=', 1)[1].split(',')
        elif a.startswith('--only='):
            only = a.split('=', 1)[1].split(':')
    if len(args) != 2:
        print(__doc__)
        return 2
    driver, payload = args
    if os.geteuid() != 0:
        skip('fault injection needs root (its configurations create namespaces)')
    strace = which('strace')
    if not strace:
        skip('strace is not installed')
    if os.environ.get('NSBOX_TEST_VALGRIND') == '1':
        skip('fault injection traces the real library, not valgrind')

    rows, failures, total = [], 0, 0
    t0 = time.monotonic()
    for config in configs:
        base = Run(strace, driver, payload, config, ['-e', 'trace=' + ','.join(SYSCALLS)])
        if base.problem or not base.verdict:
            print('%s: baseline run failed: %s' % (config, base.problem))
            return 1
        ok, word, detail = judge('-', 'EIO', base.verdict, set(), set())
        if word != 'ignored':
            print('%s: baseline (no fault) is not clean: %s %s %s' % (config, word, detail, base.verdict))
            return 1
        counts, order = count_calls(base.trace, base.wpid)
        per_call = {}
        for pid in order:
            for name, n in counts[pid].items():
                per_call.setdefault(name, {})[role(pid, order, base.wpid)] = n
        print('%s: library calls per process (up to the payload\'s execve):' % config)
        for name in SYSCALLS:
            if name in per_call:
                print('    %-15s %s' % (name, ', '.join('%s %d' % kv for kv in sorted(per_call[name].items()))))
        plan = []
        for name in SYSCALLS:
            if name not in per_call:
                continue
            maxn = max(per_call[name].values())
            for n in range(1, maxn + 1):
                plan.append((name, ERRNO[name], n))
            for xname, xerr in EXTRA:
                if xname == name:
                    for n in range(1, maxn + 1):
                        plan.append((name, xerr, n))
        if only:
            plan = [(c, e, n) for c, e, n in plan if c == only[0] and (len(only) < 2 or e == only[1]) and
                    (len(only) < 3 or n == int(only[2]))]
        for name, err, n in plan:
            total += 1
            run = Run(strace, driver, payload, config,
                      ['-e', 'trace=' + ','.join(SYSCALLS), '-e', 'inject=%s:error=%s:when=%d' % (name, err, n)])
            wpid = getattr(run, 'wpid', -1)
            injected = injected_calls(run.trace)
            order_run = count_calls(run.trace, wpid)[1]
            where = sorted(set(role(pid, order_run, wpid) for pid, _ in injected))
            w_close_fds = set()
            for pid, text in injected:
                m = re.match(r'^close\((\d+)', text)
                if m and pid == wpid:
                    w_close_fds.add(int(m.group(1)))
            if run.problem or not run.verdict:
                ok, word, detail = False, 'FAIL driver', run.problem
                v = {'spawn_ret': 0, 'spawn_err': ''}
            elif not injected:
                ok, word, detail = False, 'FAIL unreached', 'no call was injected (the path changed?)'
                v = run.verdict
            else:
                v = run.verdict
                excused = set()
                if name == 'munmap':
                    excused.add('maps')
                if name == 'rt_sigprocmask' and 'parent' in where:
                    excused.add('sigmask')
                ok, word, detail = judge(name, err, v, w_close_fds, excused)
            if not ok:
                failures += 1
            r = v['spawn_ret']
            ret = '0' if r == 0 else '-' + errno_mod.errorcode.get(-r, str(-r))
            rows.append((config, name, err, n, '+'.join(where) or '-', ret, v.get('spawn_err', ''), word, detail))
            if verbose or not ok:
                print('  %-8s %-14s %-6s #%-2d %-14s -> %-8s %-10s %s %s' % (
                    config, name, err, n, '+'.join(where) or '-', ret, word, v.get('spawn_err', ''),
                    ('[' + detail + ']') if detail else ''))
                sys.stdout.flush()

    print()
    print('%-9s %-15s %-7s %4s  %-15s %-10s %-10s %s' % ('config', 'syscall', 'errno', 'occ', 'injected in',
                                                       'returned', 'verdict', 'step (nsbox_last_error)'))
    for config, name, err, n, where, ret, text, word, detail in rows:
        print('%-9s %-15s %-7s %4d  %-15s %-10s %-10s %s%s' % (config, name, err, n, where, ret, word, text,
                                                          ('  [' + detail + ']') if detail else ''))
    counts = {}
    for row in rows:
        w = row[7].split(' ')[0] if not row[7].startswith('FAIL') else row[7]
        counts[w] = counts.get(w, 0) + 1
    print()
    print('%d injection points in %d configurations, %.0f s: %s' % (
        total, len(configs), time.monotonic() - t0, ', '.join('%s %d' % kv for kv in sorted(counts.items()))))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
