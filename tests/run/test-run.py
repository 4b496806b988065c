#!/usr/bin/env python3
# test-run.py - nsbox-run end to end: every option group run for real,
# effects checked from outside (host files, cgroup.procs, /proc/PID/stat,
# mountinfo) or from what the command prints.
#
#   test-run.py PATH-TO-NSBOX-RUN
#
# Cases that need root skip (exit 77 when nothing ran) with a reason;
# NSBOX_TEST_MUST_WORK=1 turns every skip into a failure. Unprivileged
# cases run as uid 65534 (setpriv) when we are root, else as ourselves.
# Nothing touches the machine's own network namespace: veth pairs are made
# inside a network namespace of the test's own (unshare -n).
#
# SPDX-License-Identifier: MIT

import os
import platform
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback

RUN = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('NSBOX_RUN', '')
MUST_WORK = os.environ.get('NSBOX_TEST_MUST_WORK') == '1'
ROOT = os.geteuid() == 0
NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']

passed = failed = skipped = 0
cases = []


class Skip(Exception):
    pass


def case(fn):
    cases.append(fn)
    return fn


def need_root():
    if not ROOT:
        raise Skip('needs root')


def need_cmd(name):
    if not shutil.which(name):
        raise Skip(f'{name} is not installed')


def unpriv():
    """The prefix that runs a command unprivileged: setpriv to 65534 as root."""
    if ROOT:
        if not shutil.which('setpriv'):
            raise Skip('setpriv is not installed')
        return NOBODY
    return []


def run(args, prefix=(), check_rc=0, timeout=60, **kw):
    """Run nsbox-run ARGS; assert its exit status; return the result."""
    cmd = list(prefix) + [RUN] + list(args)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check_rc is not None and p.returncode != check_rc:
        raise AssertionError(f'{cmd!r}: exit {p.returncode}, want {check_rc}\n'
                             f'stdout: {p.stdout}\nstderr: {p.stderr}')
    return p


def sh(script, timeout=60):
    """Run a shell script (for here-docs and inherited descriptors)."""
    p = subprocess.run(['sh', '-c', script], capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, RUN=RUN))
    return p


def eq(got, want, what):
    if got != want:
        raise AssertionError(f'{what}: got {got!r}, want {want!r}')


def contains(text, part, what):
    if part not in text:
        raise AssertionError(f'{what}: {part!r} not in {text!r}')


# A root made of the host's /usr, as in the README example.
USR_ROOT = ['--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib',
            '--symlink', 'usr/lib64', '/lib64']


def userns_works():
    p = subprocess.run(unpriv() + [RUN, '-U', '-r', 'true'], capture_output=True, text=True)
    if p.returncode != 0:
        raise Skip(f'unprivileged user namespaces do not work here: {p.stderr.strip()}')


# ---- usage ----------------------------------------------------------------------------

HELP_OPTIONS = [
    '--bind', '--bind-try', '--ro-bind', '--ro-bind-try', '--dev-bind', '--dev-bind-try', '--tmpfs',
    '--size', '--perms', '--proc', '--sysfs', '--dev ', '--mqueue', '--dir', '--symlink', '--remount-ro',
    '--file', '--root ', '--root-ro', '--unshare-net', '--no-loopback', '--veth', '--addr',
    '--die-with-parent', '--new-session', '--chdir', '--setenv', '--unsetenv', '--clearenv', '--init',
    '--as-pid-1', '--close-fds', '--rlimit', '--uid', '--gid', '--cap-drop', '--cap-add', '--seccomp',
    '--no-new-privs', '--cgroup-path', '--monotonic', '--boottime', '--unshare-all', '--map-root-user',
    '--hostname', '--join', '--mount-proc',
]


@case
def help_lists_every_option():
    p = run(['--help'])
    for opt in HELP_OPTIONS:
        contains(p.stdout, opt, '--help')


# (arguments, a part of the message)
USAGE_ERRORS = [
    (['--perms', '0800', '--tmpfs', '/t'], "--perms: invalid octal mode '0800'"),
    (['--perms', 'rwx', '--dir', '/d'], "--perms: invalid octal mode 'rwx'"),
    (['--perms', '017777', '--dir', '/d'], "--perms: invalid octal mode"),
    (['--perms', '0700', '--proc', '/proc'], '--perms must be followed by --tmpfs, --dir or --file'),
    (['--perms', '0700'], '--perms must be followed by --tmpfs, --dir or --file'),
    (['--size', '1024', '--dir', '/d'], '--size must be followed by --tmpfs'),
    (['--size', '1024', '--', 'true'], '--size must be followed by --tmpfs'),
    (['--size', '12Q', '--tmpfs', '/t'], "--size: invalid size '12Q'"),
    (['--size', '0', '--tmpfs', '/t'], "--size: invalid size '0'"),
    (['--cap-drop', 'CAP_NOPE'], "--cap-drop: unknown capability 'CAP_NOPE'"),
    (['--cap-add', 'frobnicate'], "--cap-add: unknown capability 'frobnicate'"),
    (['--cap-add', '64'], "--cap-add: unknown capability '64'"),
    (['-n', '--veth', 'veth0'], "--veth: 'veth0' is not HOST:CHILD"),
    (['-n', '--veth', 'a:b:c'], "--veth: 'a:b:c' is not HOST:CHILD"),
    (['-n', '--veth', ':eth0'], "--veth: ':eth0' is not HOST:CHILD"),
    (['-n', '--veth', 'h0:eth0', '--addr', 'eth0'], "--addr: 'eth0' is not IF=CIDR"),
    (['-n', '--veth', 'h0:eth0', '--addr', 'eth9=10.0.0.1/24'], "no --veth has an end named 'eth9'"),
    (['--veth', 'h0:eth0'], '--veth needs --net (-n)'),
    (['--no-loopback'], '--no-loopback needs --net (-n)'),
    (['--bind', '/usr'], "option '--bind' requires two arguments: SRC DEST"),
    (['--ro-bind', '/usr'], "option '--ro-bind' requires two arguments: SRC DEST"),
    (['--dev-bind-try', '/dev'], "option '--dev-bind-try' requires two arguments: SRC DEST"),
    (['--symlink', 'usr/bin'], "option '--symlink' requires two arguments: SRC DEST"),
    (['--file', '3'], "option '--file' requires two arguments: FD DEST"),
    (['--setenv', 'FOO'], "option '--setenv' requires two arguments: VAR VALUE"),
    (['--tmpfs'], "option '--tmpfs' requires an argument"),
    (['--file', 'x', '/f'], "--file: invalid descriptor 'x'"),
    (['--seccomp', '-1'], "--seccomp: invalid descriptor '-1'"),
    (['--setenv', 'A=B', 'c'], "--setenv: invalid variable name 'A=B'"),
    (['--unsetenv', ''], "--unsetenv: invalid variable name ''"),
    (['--uid', 'root'], "--uid: invalid uid 'root'"),
    (['--gid', '4294967295'], "--gid: invalid gid '4294967295'"),
    (['-U', '--uid', '5', '--map-user=6'], '--uid and --map-user both set the uid inside'),
    (['--monotonic', '1.x'], "--monotonic: invalid offset '1.x'"),
    (['--boottime', '1.0000000001'], "--boottime: invalid offset"),
    (['--rlimit', 'nofile=5:3'], "--rlimit: 'nofile=5:3' is not RES=N or RES=SOFT:HARD"),
    (['--rlimit', 'files=5'], "--rlimit: 'files=5' is not RES=N"),
    (['--cgroup-path', 'box'], "--cgroup-path: 'box' is not an absolute path"),
    (['--root', 'rel'], "--root: 'rel' is not an absolute path"),
    (['--init'], '--init needs --pid (-p)'),
    (['-p', '--init', '--as-pid-1'], '--init and --as-pid-1 contradict each other'),
    (['--tmpfs', '/t', '--propagation=shared'], 'needs --propagation private or slave'),
    (['--no-such-option'], "unrecognized option '--no-such-option'"),
    # values the parser cannot judge, refused before anything runs
    (['--cap-add', '63'], '--cap-add 63: this kernel knows capabilities 0 to'),
    (['--tmpfs', 'relative'], '--tmpfs relative: nsbox_config_add_tmpfs'),
    (['-n', '--veth', 'h0:eth0', '--addr', 'eth0=10.0.0.300/24'], '--addr eth0=10.0.0.300/24:'),
    (['--file', '9', '/f'], '--file 9 /f: Bad file descriptor'),
]


@case
def usage_errors_exit_125():
    for args, want in USAGE_ERRORS:
        p = run(args, check_rc=None, stdin=subprocess.DEVNULL)
        if p.returncode != 125:
            raise AssertionError(f'{args!r}: exit {p.returncode}, want 125; stderr: {p.stderr}')
        if not p.stderr.startswith('nsbox-run: ') or want not in p.stderr:
            raise AssertionError(f'{args!r}: stderr {p.stderr!r} lacks {want!r}')
        if p.stdout:
            raise AssertionError(f'{args!r}: printed {p.stdout!r} on stdout')


@case
def seccomp_bad_program_exit_125():
    # 12 bytes: not a whole number of 8-byte instructions
    p = sh('exec 3<<EOF\n0123456789a\nEOF\n"$RUN" --seccomp 3 -- true')
    eq(p.returncode, 125, f'--seccomp with 12 bytes ({p.stderr.strip()})')
    contains(p.stderr, 'read 12 bytes, not a BPF program', '--seccomp')
    p = sh('"$RUN" --seccomp 3 -- true 3</dev/null')
    eq(p.returncode, 125, f'--seccomp with nothing ({p.stderr.strip()})')
    contains(p.stderr, 'read 0 bytes', '--seccomp')
    p = sh('head -c 32776 /dev/zero | "$RUN" --seccomp 0 -- true')
    eq(p.returncode, 125, f'--seccomp with 4097 instructions ({p.stderr.strip()})')
    contains(p.stderr, 'more than 32768 bytes', '--seccomp')
    # one instruction, not a return: the kernel refuses it at spawn time
    p = sh('head -c 8 /dev/zero | "$RUN" --seccomp 0 -- true')
    eq(p.returncode, 125, f'--seccomp with a program the kernel rejects ({p.stderr.strip()})')
    contains(p.stderr, 'nsbox-run: ', '--seccomp rejected')


# ---- the full sandbox -------------------------------------------------------------------

SANDBOX = ['--unshare-all', '-r'] + USR_ROOT + [
    '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--die-with-parent', '--new-session',
    '--cap-drop', 'ALL', '--hostname', 'box', '--', '/bin/sh', '-c',
    'echo "hostname: $(hostname)"; echo "pid: $$"; echo "/: $(ls / | tr "\\n" " ")"; '
    'echo "uid: $(id -u)"; grep CapEff /proc/self/status; '
    'read -r stat < /proc/self/stat; set -- $stat; echo "session: $6"; '
    'touch /usr/x 2>&1; ip -o link | cut -d" " -f1-3']


@case
def full_sandbox_unprivileged():
    userns_works()
    before = open('/proc/self/mountinfo').read()
    p = run(SANDBOX, prefix=unpriv())
    lines = p.stdout.splitlines()
    eq(lines[0], 'hostname: box', 'hostname')
    eq(lines[1], 'pid: 1', 'pid')
    eq(lines[2], '/: bin dev lib lib64 proc tmp usr ', 'ls /')
    eq(lines[3], 'uid: 0', 'id -u')
    eq(lines[4], 'CapEff:\t0000000000000000', 'CapEff')
    eq(lines[5], 'session: 1', 'session (--new-session: setsid made pid 1 its leader)')
    eq(lines[6], "touch: cannot touch '/usr/x': Read-only file system", 'touch /usr/x')
    eq(lines[7:], ['1: lo: <LOOPBACK,UP,LOWER_UP>'], 'ip -o link: only lo, up')
    # from outside: nothing written, nothing mounted on the host
    if os.path.exists('/usr/x'):
        raise AssertionError('/usr/x exists on the host')
    eq(open('/proc/self/mountinfo').read(), before, 'host mountinfo')


@case
def die_with_parent_from_outside():
    userns_works()
    p = subprocess.Popen(unpriv() + [RUN, '-U', '-r', '-p', '--die-with-parent', '--', 'sleep', '60'],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # setpriv execs nsbox-run: p.pid is nsbox-run; its child runs sleep
        child = None
        for _ in range(100):
            try:
                kids = open(f'/proc/{p.pid}/task/{p.pid}/children').read().split()
                if kids and open(f'/proc/{kids[0]}/comm').read().strip() == 'sleep':
                    child = int(kids[0])
                    break
            except OSError:
                pass
            time.sleep(0.05)
        if child is None:
            raise AssertionError('no sleep child of nsbox-run appeared')
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        for _ in range(100):
            try:
                state = open(f'/proc/{child}/stat').read().rsplit(')', 1)[1].split()[0]
            except OSError:
                state = 'gone'
            if state in ('Z', 'X', 'gone'):
                break
            time.sleep(0.05)
        eq(state in ('Z', 'X', 'gone'), True, f'state of the command {child} after nsbox-run died '
           f'({state})')
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


@case
def without_die_with_parent_the_command_lives():
    # The control: the same without --die-with-parent survives its parent.
    userns_works()
    p = subprocess.Popen(unpriv() + [RUN, '-U', '-r', '-p', '--', 'sleep', '3'],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    child = None
    for _ in range(100):
        try:
            kids = open(f'/proc/{p.pid}/task/{p.pid}/children').read().split()
            if kids and open(f'/proc/{kids[0]}/comm').read().strip() == 'sleep':
                child = int(kids[0])
                break
        except OSError:
            pass
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    if child is None:
        raise AssertionError('no sleep child of nsbox-run appeared')
    time.sleep(0.3)
    state = open(f'/proc/{child}/stat').read().rsplit(')', 1)[1].split()[0]
    eq(state, 'S', f'state of the orphaned command {child}')
    os.kill(child, signal.SIGKILL)


@case
def new_session_passes_sigint_on():
    # The terminal's SIGINT cannot reach a command in a session of its own:
    # nsbox-run passes it on then (and ignores it otherwise).
    got = {}
    for opt in ([], ['--new-session']):
        p = subprocess.Popen([RUN] + opt + ['--', 'sleep', '30'], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        try:
            first_child(p.pid, 'sleep')
            p.send_signal(signal.SIGINT)
            try:
                got[' '.join(opt)] = p.wait(timeout=2)
            except subprocess.TimeoutExpired:
                got[' '.join(opt)] = 'running'
        finally:
            if p.poll() is None:
                p.terminate()
                p.wait()
    eq(got, {'': 'running', '--new-session': 128 + signal.SIGINT}, 'after SIGINT to nsbox-run')


# ---- filesystem ---------------------------------------------------------------------------

@case
def file_from_heredoc_on_fd3():
    userns_works()
    prefix = ' '.join(unpriv())
    p = sh(f'{prefix} "$RUN" -U -r {" ".join(USR_ROOT)} --file 3 /etc/motd --perms 0640 --file 4 /etc/two '
           '-- /bin/sh -c \'cat /etc/motd; stat -c "%a %s" /etc/motd /etc/two; '
           '[ -e /proc/self/fd/3 ] && echo fd3 open || echo fd3 closed\' '
           '3<<EOF 4</dev/null\nhello from fd 3\nsecond line\nEOF\n')
    eq(p.returncode, 0, f'--file (stderr: {p.stderr})')
    eq(p.stdout, 'hello from fd 3\nsecond line\n666 28\n640 0\nfd3 closed\n', '--file output')


@case
def binds_dirs_tmpfs_remount():
    userns_works()
    with tempfile.TemporaryDirectory(prefix='nsbox-run-test-') as d:
        os.chmod(d, 0o777)
        with open(os.path.join(d, 'ro.txt'), 'w') as f:
            f.write('host file\n')
        os.mkdir(os.path.join(d, 'rw'), 0o777)
        os.chmod(os.path.join(d, 'rw'), 0o777)
        p = run(['-U', '-r', '-p', '-i'] + USR_ROOT + [
            '--bind', os.path.join(d, 'rw'), '/rw',
            '--ro-bind', os.path.join(d, 'ro.txt'), '/etc/ro.txt',
            '--bind-try', '/nonexistent/nsbox', '/never',
            '--ro-bind-try', '/nonexistent/nsbox', '/never2',
            '--perms', '0700', '--size', '1M', '--tmpfs', '/small',
            '--perms', '0750', '--dir', '/var/lib/box',
            '--tmpfs', '/data', '--dir', '/data/sub', '--remount-ro', '/data',
            '--proc', '/proc', '--dev', '/dev', '--mqueue', '/dev/mqueue',
            '--', '/bin/sh', '-c',
            'echo inside > /rw/written; cat /etc/ro.txt; echo x > /etc/ro.txt 2>/dev/null || echo ro ok; '
            'ls -d /never /never2 2>/dev/null || echo try ok; '
            'stat -c "%a" /small /var/lib/box /var/lib /data/sub; '
            'grep " /small " /proc/self/mountinfo | grep -o "size=[0-9]*k"; '
            'touch /data/sub/f 2>/dev/null || echo remount-ro ok; '
            'ls /dev | tr "\\n" " "; echo; grep -c " /dev/mqueue .* mqueue " /proc/self/mountinfo'],
            prefix=unpriv())
        eq(p.stdout, 'host file\nro ok\ntry ok\n700\n750\n755\n755\nsize=1024k\nremount-ro ok\n'
           'fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero \n1\n',
           'filesystem output')
        # from outside: the rw bind wrote the host's directory
        eq(open(os.path.join(d, 'rw', 'written')).read(), 'inside\n', 'host file written through --bind')


@case
def root_dir_and_root_ro():
    userns_works()
    with tempfile.TemporaryDirectory(prefix='nsbox-run-root-') as d:
        # the mount points are made in DIR by root inside, i.e. by us or 65534
        os.chmod(d, 0o755)
        if ROOT:
            os.chown(d, 65534, 65534)
        with open(os.path.join(d, 'marker'), 'w') as f:
            f.write('my root\n')
        os.chmod(os.path.join(d, 'marker'), 0o644)
        p = run(['-U', '-r', '--root', d, '--root-ro'] + USR_ROOT +
                ['--', '/bin/sh', '-c', 'cat /marker; touch /new 2>/dev/null || echo root ro'],
                prefix=unpriv())
        eq(p.stdout, 'my root\nroot ro\n', '--root --root-ro')
        # from outside: the mount points were made in DIR, nothing else
        eq(sorted(os.listdir(d)), ['bin', 'lib', 'lib64', 'marker', 'usr'], 'entries of --root DIR')


@case
def sysfs_and_dev_bind():
    userns_works()
    p = run(['-U', '-r', '-n', '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib',
             '--symlink', 'usr/lib64', '/lib64', '--sysfs', '/sys', '--dev-bind', '/dev/null', '/null',
             '--', '/bin/sh', '-c', 'ls /sys/class/net | tr "\\n" " "; echo x > /null && echo devbind ok'],
            prefix=unpriv())
    eq(p.stdout, 'lo devbind ok\n', '--sysfs and --dev-bind')


# ---- network ---------------------------------------------------------------------------

@case
def unshare_net_and_no_loopback():
    userns_works()
    p = run(['-U', '-r', '--unshare-net', '--', 'ip', '-o', 'link'], prefix=unpriv())
    eq(re.findall(r'^\d+: (\S+): <([^>]*)>', p.stdout, re.M), [('lo', 'LOOPBACK,UP,LOWER_UP')],
       '--unshare-net')
    p = run(['-U', '-r', '-n', '--no-loopback', '--', 'ip', '-o', 'link'], prefix=unpriv())
    eq(re.findall(r'^\d+: (\S+): <([^>]*)>', p.stdout, re.M), [('lo', 'LOOPBACK')], '--no-loopback')


@case
def veth_and_addr_in_a_test_netns():
    need_root()
    need_cmd('unshare')
    need_cmd('ip')
    need_cmd('ping')
    # The host end lives in the network namespace unshare -n makes for this
    # script only; it dies with it.
    inner = ('ip -o addr show eth0 scope global | awk \'{print $4}\'; '
             'ping -c 1 -W 5 10.231.0.1 >/dev/null && echo ping4 ok; '
             'ping -6 -c 1 -W 5 fd00:231::1 >/dev/null && echo ping6 ok; '
             'ip -o link show nsbxh0 2>/dev/null | wc -l')
    script = ('ip link set lo up\n'
              '"$RUN" -n --veth nsbxh0:eth0 --addr nsbxh0=10.231.0.1/24 --addr eth0=10.231.0.2/24 '
              '--addr eth0=fd00:231::2/64 --addr nsbxh0=fd00:231::1/64 -- sh -c "$INNER" || exit\n'
              # the kernel frees a network namespace (and the pair) shortly after
              'for i in $(seq 100); do ip link show nsbxh0 >/dev/null 2>&1 || break; sleep 0.1; done\n'
              'echo "host: $(ip -o -4 addr show nsbxh0 2>/dev/null)"\n')
    p = subprocess.run(['unshare', '-n', 'sh', '-c', script], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, RUN=RUN, INNER=inner))
    eq(p.returncode, 0, f'veth (stderr: {p.stderr})')
    lines = p.stdout.splitlines()
    eq(lines[:2], ['10.231.0.2/24', 'fd00:231::2/64'], 'child end addresses')
    eq(lines[2:5], ['ping4 ok', 'ping6 ok', '0'], 'pings to the host end; the host end is not inside')
    # the pair went with the child's namespace
    eq(lines[5].rstrip(), 'host:', 'host end after the command ended')


@case
def veth_unprivileged_is_eperm():
    need_root()
    need_cmd('unshare')
    userns_works()
    # uid 65534 in a network namespace of the test's own (root's): the host
    # end would be there, and 65534 has no CAP_NET_ADMIN over it.
    script = ('"$RUN" -U -r -n --veth nsbxu0:eth0 -- true; echo "rc=$?"; '
              'ip -o link show nsbxu0 2>/dev/null | wc -l')
    p = subprocess.run(['unshare', '-n', 'sh', '-c', 'ip link set lo up; ' + ' '.join(NOBODY) + ' sh -c \''
                        + script + '\''], capture_output=True, text=True, timeout=60, env=dict(os.environ, RUN=RUN))
    eq(p.stdout, 'rc=125\n0\n', f'veth as uid 65534 (stderr: {p.stderr})')
    contains(p.stderr, 'Operation not permitted', 'veth as uid 65534')


# ---- process ---------------------------------------------------------------------------

@case
def environment():
    env = dict(os.environ, NSBOX_KEEP='kept', NSBOX_GONE='gone')
    p = run(['--setenv', 'NSBOX_A', 'one two', '--unsetenv', 'NSBOX_GONE', '--', 'env'], env=env)
    got = dict(line.split('=', 1) for line in p.stdout.splitlines() if '=' in line)
    eq(got.get('NSBOX_A'), 'one two', '--setenv')
    eq(got.get('NSBOX_KEEP'), 'kept', 'inherited variable')
    eq('NSBOX_GONE' in got, False, '--unsetenv')
    p = run(['--setenv', 'BEFORE', '1', '--clearenv', '--setenv', 'ONLY', 'x=y', '--', '/usr/bin/env'], env=env)
    eq(p.stdout, 'ONLY=x=y\n', '--clearenv drops what came before')


@case
def chdir():
    p = run(['--chdir', '/usr/share', '--', 'sh', '-c', 'pwd; echo "$PWD"'])
    eq(p.stdout, '/usr/share\n/usr/share\n', '--chdir')
    userns_works()
    p = run(['-U', '-r'] + USR_ROOT + ['--chdir', '/usr/lib', '--', '/bin/sh', '-c', 'pwd'], prefix=unpriv())
    eq(p.stdout, '/usr/lib\n', '--chdir in a new root')
    p = run(['--chdir', '/nonexistent/dir', '--', 'true'], check_rc=125)
    contains(p.stderr, '/nonexistent/dir', '--chdir to a missing directory')
    p = run(['-U', '-r'] + USR_ROOT + ['--', '/bin/no-such-command'], prefix=unpriv(), check_rc=127)
    contains(p.stderr, 'execve', 'a command missing in the new root')


@case
def init_and_as_pid_1():
    userns_works()
    p = run(['-U', '-r', '-p', '--init', '--', 'sh', '-c', 'echo $$; cat /proc/1/comm 2>/dev/null; exit 3'],
            prefix=unpriv(), check_rc=3)
    eq(p.stdout.splitlines()[0], '2', '--init: the command is pid 2')
    p = run(['-U', '-r', '-p', '--as-pid-1', '--', 'sh', '-c', 'echo $$'], prefix=unpriv())
    eq(p.stdout, '1\n', '--as-pid-1')


def first_child(pid, comm=None):
    """The first child of @pid (with that comm), waiting for it to appear."""
    for _ in range(200):
        try:
            kids = open(f'/proc/{pid}/task/{pid}/children').read().split()
            if kids and (comm is None or open(f'/proc/{kids[0]}/comm').read().strip() == comm):
                return int(kids[0])
        except OSError:
            pass
        time.sleep(0.025)
    raise AssertionError(f'no child of {pid} appeared')


def zombie_children(pid):
    n = 0
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            fields = open(f'/proc/{entry}/stat').read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if fields[0] == 'Z' and int(fields[1]) == pid:
            n += 1
    return n


@case
def init_reaps_orphans_and_forwards_sigterm():
    # Seen from outside: an orphan whose pid 1 is a payload that never waits
    # (sleep) stays a zombie; under --init it is reaped. SIGTERM to nsbox-run
    # reaches the payload through the init (a pid 1 without a handler would
    # ignore it).
    userns_works()
    results = {}
    for opt in ([], ['--init']):
        p = subprocess.Popen(unpriv() + [RUN, '-U', '-r', '-p', '--die-with-parent'] + opt +
                             ['--', 'sh', '-c', '(sleep 0.2 &); exec sleep 30'],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            pid1 = first_child(p.pid)
            time.sleep(1.0)
            zombies = zombie_children(pid1)
            p.terminate()
            try:
                rc = p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                rc = 'still running after SIGTERM'
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        results[' '.join(opt) or 'no init'] = (zombies, rc)
    eq(results['no init'][0], 1, 'zombies under a payload as pid 1 (the control)')
    eq(results['--init'], (0, 128 + signal.SIGTERM), '--init: zombies, and exit status after SIGTERM')


@case
def close_fds():
    p = sh('exec 5</dev/null; "$RUN" -- sh -c "[ -e /proc/self/fd/5 ] && echo open || echo closed"; '
           '"$RUN" --close-fds -- sh -c "[ -e /proc/self/fd/5 ] && echo open || echo closed"')
    eq(p.stdout, 'open\nclosed\n', f'--close-fds (stderr: {p.stderr})')


@case
def rlimit():
    p = run(['--rlimit', 'nofile=100:200', '--rlimit', 'core=0', '--', 'sh', '-c',
             'ulimit -S -n; ulimit -H -n; ulimit -H -c'])
    eq(p.stdout, '100\n200\n0\n', '--rlimit')


# ---- credentials -------------------------------------------------------------------------

def status_field(text, name):
    m = re.search(rf'^{name}:\s*(\S+)', text, re.M)
    return m.group(1) if m else None


@case
def uid_gid():
    userns_works()
    p = run(['-U', '--uid', '1000', '--gid', '1001', '--', 'sh', '-c', 'id -u; id -g; cat /proc/self/uid_map'],
            prefix=unpriv())
    lines = p.stdout.split('\n')
    eq(lines[:2], ['1000', '1001'], '-U --uid --gid')
    eq(lines[2].split(), ['1000', '65534' if ROOT else str(os.geteuid()), '1'], 'uid_map')
    p = run(['-r', '--uid', '5', '--', 'sh', '-c', 'id -u; id -g; grep CapEff /proc/self/status'],
            prefix=unpriv())
    eq(p.stdout, '5\n0\nCapEff:\t0000000000000000\n', '-r --uid 5: no capabilities as non-root')
    if ROOT:
        # no user namespace: switch ids in ours
        p = run(['--uid', '65534', '--gid', '65534', '--', 'sh', '-c', 'id -u; id -g'])
        eq(p.stdout, '65534\n65534\n', '--uid/--gid without a user namespace')


@case
def capabilities():
    userns_works()
    last = int(open('/proc/sys/kernel/cap_last_cap').read())
    full = (1 << (last + 1)) - 1
    status = "grep -E '^Cap(Eff|Bnd|Amb)' /proc/self/status"
    p = run(['-U', '-r', '--cap-drop', 'ALL', '--cap-add', 'CAP_NET_BIND_SERVICE', '--', 'sh', '-c', status],
            prefix=unpriv())
    eq(status_field(p.stdout, 'CapEff'), f'{1 << 10:016x}', 'CapEff with --cap-drop ALL --cap-add')
    eq(status_field(p.stdout, 'CapBnd'), f'{1 << 10:016x}', 'CapBnd')
    p = run(['-U', '-r', '--cap-drop', 'net_raw', '--cap-drop', '21', '--', 'sh', '-c', status], prefix=unpriv())
    eq(status_field(p.stdout, 'CapEff'), f'{full & ~(1 << 13) & ~(1 << 21):016x}', '--cap-drop two')
    # a non-root uid starts with none; --cap-add keeps one across exec (ambient)
    p = run(['-U', '--uid', '1000', '--cap-add', 'NET_ADMIN', '--', 'sh', '-c', status], prefix=unpriv())
    eq(status_field(p.stdout, 'CapEff'), f'{1 << 12:016x}', 'CapEff for uid 1000 --cap-add')
    eq(status_field(p.stdout, 'CapAmb'), f'{1 << 12:016x}', 'CapAmb for uid 1000 --cap-add')
    # the order matters: a later drop wins
    p = run(['-U', '-r', '--cap-add', 'ALL', '--cap-drop', 'ALL', '--', 'sh', '-c', status], prefix=unpriv())
    eq(status_field(p.stdout, 'CapEff'), '0' * 16, '--cap-add ALL --cap-drop ALL')


@case
def no_new_privs():
    p = run(['--', 'grep', 'NoNewPrivs', '/proc/self/status'])
    eq(p.stdout.split(), ['NoNewPrivs:', '0'], 'without --no-new-privs')
    p = run(['--no-new-privs', '--', 'grep', 'NoNewPrivs', '/proc/self/status'])
    eq(p.stdout.split(), ['NoNewPrivs:', '1'], '--no-new-privs')


def mkdir_filter():
    """sock_filter[]: ERRNO(EPERM) for mkdir and mkdirat on x86_64, else allow."""
    BPF_LD_W_ABS, BPF_JEQ_K, BPF_RET_K = 0x20, 0x15, 0x06
    AUDIT_ARCH_X86_64 = 0xc000003e
    ALLOW, ERRNO_EPERM = 0x7fff0000, 0x00050000 | 1
    prog = [
        (BPF_LD_W_ABS, 0, 0, 4),                  # 0: A = arch
        (BPF_JEQ_K, 0, 5, AUDIT_ARCH_X86_64),     # 1: other arch -> 7
        (BPF_LD_W_ABS, 0, 0, 0),                  # 2: A = nr
        (BPF_JEQ_K, 2, 0, 83),                    # 3: mkdir -> 6
        (BPF_JEQ_K, 1, 0, 258),                   # 4: mkdirat -> 6
        (BPF_RET_K, 0, 0, ALLOW),                 # 5
        (BPF_RET_K, 0, 0, ERRNO_EPERM),           # 6
        (BPF_RET_K, 0, 0, ALLOW),                 # 7
    ]
    return b''.join(struct.pack('=HBBI', *insn) for insn in prog)


@case
def seccomp_makes_mkdir_fail():
    if platform.machine() != 'x86_64':
        raise Skip('the test filter is for x86_64')
    with tempfile.TemporaryDirectory(prefix='nsbox-run-seccomp-') as d:
        os.chmod(d, 0o777)
        bpf = os.path.join(d, 'mkdir.bpf')
        with open(bpf, 'wb') as f:
            f.write(mkdir_filter())
        target = os.path.join(d, 'made')
        fd = os.open(bpf, os.O_RDONLY)
        try:
            p = run(['--seccomp', str(fd), '--', 'sh', '-c',
                     f'mkdir {target} 2>&1; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; '
                     f'[ -e /proc/self/fd/{fd} ] && echo fd open || echo fd closed; touch {target}.file'],
                    pass_fds=(fd,))
        finally:
            os.close(fd)
        contains(p.stdout, 'Operation not permitted', 'mkdir under --seccomp')
        contains(p.stdout, 'Seccomp:\t2\n', 'Seccomp field')
        contains(p.stdout, 'NoNewPrivs:\t1\n', 'NoNewPrivs with a filter')
        contains(p.stdout, 'fd closed', 'the --seccomp descriptor is not inherited')
        # from outside: mkdir did nothing, other calls worked
        eq(os.path.exists(target), False, 'directory made despite the filter')
        eq(os.path.exists(target + '.file'), True, 'touch under the filter')
        # the control: without the filter mkdir works
        run(['--', 'mkdir', target])
        eq(os.path.isdir(target), True, 'mkdir without the filter')


# ---- cgroups and time ------------------------------------------------------------------

def cgroup2_mount():
    for line in open('/proc/self/mountinfo'):
        left, _, right = line.partition(' - ')
        if right.split()[0] == 'cgroup2':
            return left.split()[4]
    return None


@case
def cgroup_path_from_outside():
    need_root()
    mnt = cgroup2_mount()
    if not mnt:
        raise Skip('no cgroup2 mount in /proc/self/mountinfo')
    base = None
    for line in open('/proc/self/cgroup'):
        if line.startswith('0::'):
            base = line[3:].strip()
    if base is None:
        raise Skip('no cgroup v2 line in /proc/self/cgroup')
    name = f'nsbox-run-test-{os.getpid()}'
    cg = os.path.join(mnt, base.lstrip('/'), name)
    os.mkdir(cg)
    try:
        p = subprocess.Popen([RUN, '--cgroup-path', cg, '--', 'sh', '-c', 'grep "^0::" /proc/self/cgroup; sleep 2'],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs = []
        for _ in range(100):
            procs = open(os.path.join(cg, 'cgroup.procs')).read().split()
            if procs:
                break
            time.sleep(0.02)
        out, err = p.communicate(timeout=30)
        eq(p.returncode, 0, f'--cgroup-path (stderr: {err})')
        eq(out, f'0::{os.path.join(base, name)}\n', 'the command\'s /proc/self/cgroup')
        eq(len(procs) >= 1, True, f'{cg}/cgroup.procs while the command ran: {procs}')
        p2 = run(['--cgroup-path', cg + '/missing', '--', 'true'], check_rc=125)
        contains(p2.stderr, 'nsbox-run: ', '--cgroup-path to a missing cgroup')
    finally:
        for _ in range(50):
            try:
                os.rmdir(cg)
                break
            except OSError:
                time.sleep(0.05)


@case
def monotonic_and_boottime():
    # a time namespace needs CAP_SYS_ADMIN: unprivileged, in a user namespace
    extra = [] if ROOT else ['-U', '-r']
    code = 'import time; print(time.monotonic()); print(time.clock_gettime(time.CLOCK_BOOTTIME))'
    before = time.monotonic()
    p = run(extra + ['--monotonic', '86400', '--boottime', '-1.5', '--', sys.executable, '-c', code],
            check_rc=None)
    after = time.monotonic()
    if p.returncode != 0 and 'time' in p.stderr and not ROOT:
        raise Skip(f'no time namespace here: {p.stderr.strip()}')
    eq(p.returncode, 0, f'--monotonic (stderr: {p.stderr})')
    mono, boot = (float(x) for x in p.stdout.split())
    if not (before + 86400 - 1 <= mono <= after + 86400 + 1):
        raise AssertionError(f'--monotonic 86400: inside {mono}, outside {before}..{after}')
    host_boot = time.clock_gettime(time.CLOCK_BOOTTIME)
    # read inside before host_boot, within the time python takes to start
    if not (host_boot - 1.5 - 0.5 <= boot <= host_boot - 1.5 + 0.01):
        raise AssertionError(f'--boottime -1.5: inside {boot}, outside {host_boot}')
    p = run(extra + ['--monotonic', '10', '--', 'readlink', '/proc/self/ns/time'])
    eq(p.stdout.strip() != os.readlink('/proc/self/ns/time'), True, '--monotonic implies -T')


# ---- main -------------------------------------------------------------------------------

def main():
    global passed, failed, skipped
    if not RUN or not os.access(RUN, os.X_OK):
        print(f'SKIP: nsbox-run not found ({RUN!r})')
        return 77
    for fn in cases:
        name = fn.__name__
        try:
            fn()
        except Skip as e:
            if MUST_WORK:
                failed += 1
                print(f'FAIL {name}: skipped under NSBOX_TEST_MUST_WORK=1: {e}')
            else:
                skipped += 1
                print(f'SKIP {name}: {e}')
            continue
        except Exception as e:  # noqa: BLE001 - every error is this case's failure
            failed += 1
            print(f'FAIL {name}: {e}')
            if not isinstance(e, AssertionError):
                traceback.print_exc(file=sys.stdout)
            continue
        passed += 1
        print(f'ok   {name}')
    if skipped:
        print(f'{skipped} skipped')
    print(f'{passed} passed, {failed} failed')
    if failed:
        return 1
    if passed == 0:
        return 77
    return 0


if __name__ == '__main__':
    sys.exit(main())
