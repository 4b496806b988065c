/* SPDX-License-Identifier: MIT
 * Feature module "net": the child's part, run between clone and execve in
 * the child's new network namespace (see child.c for the rules: raw system
 * calls only, no errno, no libc, small frames). Everything it sends was
 * prepared by nsbox__net_prepare() in p->net; the only thing written here is
 * the ifindex of the child's veth end, patched into the prebuilt RTM_NEWADDR
 * requests, and the ifreq/receive buffers of the plan.
 *
 *   1. lo up: SIOCGIFFLAGS, SIOCSIFFLAGS | IFF_UP (AF_INET datagram socket);
 *   2. for each veth pair: SIOCGIFINDEX of the child's end; its addresses
 *      over rtnetlink, each ACK awaited; the end up (the host end is up
 *      already, so this gives both their carrier);
 *   3. ETHTOOL_GLINK on each child end: its link state settled now. */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/sockios.h>

#include "net.h"

static long set_up(long fd, struct ifreq *ifr)
{
	long r = NSBOX_SYS3(__NR_ioctl, fd, SIOCGIFFLAGS, ifr);

	if (r < 0)
		return r;
	if (ifr->ifr_flags & IFF_UP)
		return 0;
	ifr->ifr_flags = (short)(ifr->ifr_flags | IFF_UP);
	return NSBOX_SYS3(__NR_ioctl, fd, SIOCSIFFLAGS, ifr);
}

/* lo of a namespace made for this child: its flags are IFF_LOOPBACK and
 * nothing else, so one ioctl sets them, with no read first. */
static long set_lo_up(long fd, struct ifreq *ifr)
{
	ifr->ifr_flags = IFF_UP | IFF_LOOPBACK;
	return NSBOX_SYS3(__NR_ioctl, fd, SIOCSIFFLAGS, ifr);
}

/* Send @m to the kernel and wait for its ACK: 0 or -errno. */
static long talk(long fd, struct nsbox_net_plan *n, struct nsbox_net_addrmsg *m)
{
	long r;

	do
		r = nsbox__sys(__NR_sendto, fd, (long)m, (long)m->nh.nlmsg_len, 0, 0, 0);
	while (r == -EINTR);
	if (r < 0)
		return r;
	for (;;) {
		struct nlmsghdr *h;
		unsigned long left;

		r = nsbox__sys(__NR_recvfrom, fd, (long)n->rx, (long)sizeof(n->rx), 0, 0, 0);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		if (r == 0)
			return -EIO;
		left = (unsigned long)r;
		for (h = (struct nlmsghdr *)(void *)n->rx; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			const struct nlmsgerr *e;

			if (h->nlmsg_seq != m->nh.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EIO;
			e = NLMSG_DATA(h);
			return e->error > 0 ? -EIO : e->error;
		}
	}
}

/* ETHTOOL_GLINK makes the kernel settle the pending link state of the end
 * now (linkwatch_sync_dev) instead of whenever its worker runs: carrier,
 * operational state and, above all, the transmit queues, without which the
 * first packets would be dropped. The answer itself does not matter. */
static void settle(long fd, struct ifreq *ifr)
{
	(void)NSBOX_SYS3(__NR_ioctl, fd, SIOCETHTOOL, ifr);
}

static long veths(struct nsbox_net_plan *n, long sock, int *detail)
{
	long nl = -1, r = 0;

	if (n->n_child_msgs) {
		nl = NSBOX_SYS3(__NR_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (nl < 0) {
			*detail = NSBOX_NET_DETAIL(NSBOX_NET_OP_NETLINK, 0);
			return nl;
		}
	}
	for (uint32_t v = 0; v < n->n_veth && r == 0; v++) {
		struct ifreq *ifr = &n->child_ifr[v];
		int ifindex;

		r = NSBOX_SYS3(__NR_ioctl, sock, SIOCGIFINDEX, ifr);
		if (r < 0) {
			*detail = NSBOX_NET_DETAIL(NSBOX_NET_OP_IFINDEX, v);
			break;
		}
		ifindex = ifr->ifr_ifindex;
		for (uint32_t i = 0; i < n->n_child_msgs; i++) {
			if (n->child_msg_veth[i] != v)
				continue;
			n->child_msgs[i].ifa.ifa_index = (unsigned)ifindex;
			r = talk(nl, n, &n->child_msgs[i]);
			if (r < 0) {
				*detail = NSBOX_NET_DETAIL(NSBOX_NET_OP_ADDR, n->child_msg_addr[i]);
				break;
			}
		}
		if (r == 0 && (r = set_up(sock, ifr)) < 0)
			*detail = NSBOX_NET_DETAIL(NSBOX_NET_OP_UP, v);
	}
	for (uint32_t v = 0; v < n->n_veth && r == 0; v++)
		settle(sock, &n->ethtool_ifr[v]);
	if (nl >= 0)
		(void)NSBOX_SYS1(__NR_close, nl);
	return r;
}

int nsbox__net_child(struct nsbox_plan *p, int *detail)
{
	struct nsbox_net_plan *n = p->net;
	long sock, r = 0;

	if (!n)
		return 0;
	sock = NSBOX_SYS3(__NR_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		*detail = NSBOX_NET_DETAIL(NSBOX_NET_OP_SOCKET, 0);
		return (int)sock;
	}
	if (n->loopback && (r = set_lo_up(sock, &n->lo)) < 0)
		*detail = NSBOX_NET_DETAIL(NSBOX_NET_OP_LO, 0);
	if (r == 0 && n->n_veth)
		r = veths(n, sock, detail);
	(void)NSBOX_SYS1(__NR_close, sock);
	return (int)r;
}
