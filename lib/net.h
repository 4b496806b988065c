/* SPDX-License-Identifier: MIT
 * Feature module "net": settings and plan shared by lib/net.c (parent side)
 * and lib/net-child.c (child side). Nothing here is ABI. */
#ifndef NSBOX_NET_H
#define NSBOX_NET_H

#include <stdint.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>

#include "nsbox-private.h"

/* One veth pair as configured. */
struct nsbox_net_veth {
	char host[IFNAMSIZ];
	char child[IFNAMSIZ];
};

/* One address as configured: on end @veth of side @child (0: host end). */
struct nsbox_net_addr {
	uint32_t veth;
	int child;
	int family; /* AF_INET or AF_INET6 */
	uint8_t prefix;
	uint8_t bytes[16];
	char text[56]; /* normalized "ADDRESS/PREFIX", for messages */
};

/* cfg->net: allocated by the first network setter. */
struct nsbox_net_cfg {
	int32_t loopback;  /* 1 unless turned off */
	int loopback_set;  /* the caller said something about lo */
	struct nsbox_net_veth veth[NSBOX_VETH_MAX];
	uint32_t n_veth;
	struct nsbox_net_addr addr[NSBOX_ADDRESS_MAX];
	uint32_t n_addr;
};

/* A prebuilt RTM_NEWADDR request: header, ifaddrmsg, IFA_LOCAL and
 * IFA_ADDRESS of up to 16 bytes each. The child patches ifa.ifa_index. */
struct nsbox_net_addrmsg {
	struct nlmsghdr nh;
	struct ifaddrmsg ifa;
	unsigned char attrs[2 * (4 + 16)];
} __attribute__((aligned(NLMSG_ALIGNTO)));

/* What the child reports in `detail`: an operation and an index. */
enum nsbox_net_op {
	NSBOX_NET_OP_LO = 1,       /* bring lo up */
	NSBOX_NET_OP_SOCKET = 2,   /* AF_INET socket for the ioctls */
	NSBOX_NET_OP_NETLINK = 3,  /* NETLINK_ROUTE socket */
	NSBOX_NET_OP_IFINDEX = 4,  /* SIOCGIFINDEX of veth #index's child end */
	NSBOX_NET_OP_ADDR = 5,     /* RTM_NEWADDR of address #index */
	NSBOX_NET_OP_UP = 6        /* set veth #index's child end up */
};
#define NSBOX_NET_DETAIL(op, index) ((int)(op) << 16 | (int)(index))
#define NSBOX_NET_DETAIL_OP(d) ((d) >> 16)
#define NSBOX_NET_DETAIL_INDEX(d) ((d) & 0xffff)

/* p->net: everything the child needs, prepared by nsbox__net_prepare(),
 * plus the parent's record of the host ends it created. */
struct nsbox_net_plan {
	/* child side */
	int loopback;
	struct ifreq lo;
	uint32_t n_veth;
	struct ifreq child_ifr[NSBOX_VETH_MAX]; /* the child ends, by name */
	uint32_t n_child_msgs;
	struct nsbox_net_addrmsg child_msgs[NSBOX_ADDRESS_MAX];
	uint32_t child_msg_veth[NSBOX_ADDRESS_MAX]; /* which child end */
	uint32_t child_msg_addr[NSBOX_ADDRESS_MAX]; /* which configured address */
	char rx[8192] __attribute__((aligned(8)));   /* netlink replies */
	struct ifreq ethtool_ifr[NSBOX_VETH_MAX];    /* SIOCETHTOOL on the child ends */
	struct ethtool_value glink[NSBOX_VETH_MAX];  /* their ETHTOOL_GLINK requests */

	/* copies for the parent and for messages */
	struct nsbox_net_veth veth[NSBOX_VETH_MAX];
	uint32_t n_addr;
	struct nsbox_net_addr addr[NSBOX_ADDRESS_MAX];

	/* parent side: host ends created by nsbox__net_parent, deleted on failure */
	int host_created[NSBOX_VETH_MAX];
	int host_ifindex[NSBOX_VETH_MAX]; /* 0: not known yet */
};

/* Delete the host ends the parent created (idempotent). For a spawn that
 * fails after nsbox__net_parent succeeded. */
void nsbox__net_abort(struct nsbox_plan *p);

#endif
