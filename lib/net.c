/* SPDX-License-Identifier: MIT
 * Feature module "net" (issue 3): loopback and veth pairs in a new network
 * namespace. The configuration setters, validation at spawn, the plan the
 * child reads (prebuilt netlink messages), the parent's part (creating the
 * veth pairs over rtnetlink while the child waits) and the sentences for
 * the child's failures. The child's part is in net-child.c.
 *
 * Order of a spawn with a veth pair:
 *   parent: clone; the child makes its network namespace and waits;
 *   parent: RTM_NEWLINK kind veth, peer put straight into the child's
 *           namespace (IFLA_NET_NS_FD of /proc/PID/ns/net);
 *           RTM_NEWADDR for the host end's addresses; host end up;
 *   child:  lo up (ioctl); SIOCGIFINDEX of its end; RTM_NEWADDR for its
 *           addresses (the prebuilt messages, ifindex patched in); end up;
 *           ETHTOOL_GLINK on its end, so that the kernel settles the link
 *           state now rather than in its linkwatch worker (until then the
 *           first packets may be dropped).
 * Any failure after the pair exists deletes the host end (RTM_DELLINK),
 * which takes the child's end with it: in nsbox__net_parent, in
 * nsbox__net_child_error, and in nsbox__net_abort for the other failures. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "net.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

/* ---- configuration ---- */

static struct nsbox_net_cfg *net_cfg(nsbox_config *cfg)
{
	if (!cfg->net) {
		cfg->net = calloc(1, sizeof(*cfg->net));
		if (cfg->net)
			cfg->net->loopback = 1;
	}
	return cfg->net;
}

void nsbox__net_cfg_free(struct nsbox_net_cfg *c)
{
	free(c);
}

NSBOX_EXPORT int nsbox_config_set_loopback(nsbox_config *cfg, int32_t up)
{
	struct nsbox_net_cfg *c;

	if (!cfg)
		return nsbox__fail(-EINVAL, "nsbox_config_set_loopback: cfg is NULL");
	if (up != 0 && up != 1)
		return nsbox__fail(-EINVAL, "nsbox_config_set_loopback: up must be 0 or 1, not %d", up);
	if (!(c = net_cfg(cfg)))
		return nsbox__fail(-ENOMEM, "nsbox_config_set_loopback: out of memory");
	c->loopback = up;
	c->loopback_set = 1;
	return 0;
}

/* The kernel's dev_valid_name(), plus no '%' (a name template would make
 * the kernel choose the name) and no "lo" (present in every namespace). */
static int check_ifname(const char *fn, const char *what, const char *name)
{
	size_t len;

	if (!name)
		return nsbox__fail(-EINVAL, "%s: %s is NULL", fn, what);
	len = strnlen(name, IFNAMSIZ);
	if (len == 0)
		return nsbox__fail(-EINVAL, "%s: %s is empty", fn, what);
	if (len >= IFNAMSIZ)
		return nsbox__fail(-EINVAL, "%s: %s \"%.20s...\" is longer than %d bytes", fn, what, name,
		                   NSBOX_IFNAME_MAX);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return nsbox__fail(-EINVAL, "%s: %s \"%s\" is not a valid interface name", fn, what, name);
	if (strcmp(name, "lo") == 0)
		return nsbox__fail(-EINVAL, "%s: %s \"lo\": every network namespace has its own lo", fn, what);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];
		/* the kernel's isspace() includes 0xa0 */
		if (ch == '/' || ch == ':' || ch == '%' || ch == ' ' || (ch >= '\t' && ch <= '\r') || ch == 0xa0)
			return nsbox__fail(-EINVAL, "%s: %s \"%s\" contains '/', ':', '%%' or white space", fn, what,
			                   name);
	}
	return 0;
}

/* The veth end called @name: its pair index, and whether it is the child's. */
static int find_end(const struct nsbox_net_cfg *c, const char *name, uint32_t *veth, int *child)
{
	for (uint32_t i = 0; c && i < c->n_veth; i++) {
		if (strcmp(c->veth[i].host, name) == 0 || strcmp(c->veth[i].child, name) == 0) {
			*veth = i;
			*child = strcmp(c->veth[i].child, name) == 0;
			return 1;
		}
	}
	return 0;
}

NSBOX_EXPORT int nsbox_config_add_veth(nsbox_config *cfg, const char *host_ifname, const char *child_ifname)
{
	static const char fn[] = "nsbox_config_add_veth";
	struct nsbox_net_cfg *c;
	uint32_t v;
	int side, r;

	if (!cfg)
		return nsbox__fail(-EINVAL, "%s: cfg is NULL", fn);
	if ((r = check_ifname(fn, "host_ifname", host_ifname)) < 0 ||
	    (r = check_ifname(fn, "child_ifname", child_ifname)) < 0)
		return r;
	if (strcmp(host_ifname, child_ifname) == 0)
		return nsbox__fail(-EEXIST, "%s: both ends are named \"%s\" (addresses name an end, so names must differ)",
		                   fn, host_ifname);
	if (find_end(cfg->net, host_ifname, &v, &side) || find_end(cfg->net, child_ifname, &v, &side))
		return nsbox__fail(-EEXIST, "%s: veth pair #%u already has an end named \"%s\"", fn, v + 1,
		                   side ? cfg->net->veth[v].child : cfg->net->veth[v].host);
	if (cfg->net && cfg->net->n_veth >= NSBOX_VETH_MAX)
		return nsbox__fail(-E2BIG, "%s: at most %d veth pairs", fn, NSBOX_VETH_MAX);
	if (!(c = net_cfg(cfg)))
		return nsbox__fail(-ENOMEM, "%s: out of memory", fn);
	memcpy(c->veth[c->n_veth].host, host_ifname, strlen(host_ifname) + 1);
	memcpy(c->veth[c->n_veth].child, child_ifname, strlen(child_ifname) + 1);
	c->n_veth++;
	return 0;
}

/* "ADDRESS[/PREFIX]" with a decimal prefix of 1 to 3 digits. */
static int parse_cidr(const char *text, struct nsbox_net_addr *a)
{
	char buf[64], out[INET6_ADDRSTRLEN];
	char *slash;
	size_t len = strnlen(text, sizeof(buf));
	unsigned max, prefix = 0;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, len + 1);
	slash = strchr(buf, '/');
	if (slash) {
		const char *d = slash + 1;
		size_t nd = strlen(d);
		if (nd == 0 || nd > 3)
			return -EINVAL;
		for (size_t i = 0; i < nd; i++) {
			if (d[i] < '0' || d[i] > '9')
				return -EINVAL;
			prefix = prefix * 10 + (unsigned)(d[i] - '0');
		}
		*slash = '\0';
	}
	a->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	max = a->family == AF_INET ? 32 : 128;
	memset(a->bytes, 0, sizeof(a->bytes));
	if (inet_pton(a->family, buf, a->bytes) != 1)
		return -EINVAL;
	if (!slash)
		prefix = max;
	if (prefix > max)
		return -EINVAL;
	a->prefix = (uint8_t)prefix;
	if (!inet_ntop(a->family, a->bytes, out, sizeof(out)))
		return -EINVAL;
	snprintf(a->text, sizeof(a->text), "%s/%u", out, prefix);
	return 0;
}

NSBOX_EXPORT int nsbox_config_add_address(nsbox_config *cfg, const char *ifname, const char *cidr)
{
	static const char fn[] = "nsbox_config_add_address";
	struct nsbox_net_cfg *c;
	struct nsbox_net_addr a;

	if (!cfg || !ifname || !cidr)
		return nsbox__fail(-EINVAL, "%s: %s is NULL", fn, !cfg ? "cfg" : !ifname ? "ifname" : "cidr");
	if (strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)
		return nsbox__fail(-EINVAL, "%s: ifname \"%.20s...\" is longer than %d bytes", fn, ifname,
		                   NSBOX_IFNAME_MAX);
	memset(&a, 0, sizeof(a));
	if (parse_cidr(cidr, &a) < 0)
		return nsbox__fail(-EINVAL, "%s: \"%.64s\" is not ADDRESS/PREFIX (IPv4 prefix 0-32, IPv6 0-128)", fn,
		                   cidr);
	c = cfg->net;
	if (!find_end(c, ifname, &a.veth, &a.child))
		return nsbox__fail(-ENODEV, "%s: no veth end is named \"%s\" (add the pair first)", fn, ifname);
	for (uint32_t i = 0; i < c->n_addr; i++) {
		const struct nsbox_net_addr *b = &c->addr[i];
		if (b->veth == a.veth && b->child == a.child && b->family == a.family &&
		    memcmp(b->bytes, a.bytes, sizeof(a.bytes)) == 0)
			return nsbox__fail(-EEXIST, "%s: %s already has address %s", fn, ifname, b->text);
	}
	if (c->n_addr >= NSBOX_ADDRESS_MAX)
		return nsbox__fail(-E2BIG, "%s: at most %d addresses", fn, NSBOX_ADDRESS_MAX);
	c->addr[c->n_addr++] = a;
	return 0;
}

/* ---- spawn: validation and plan ---- */

int nsbox__net_validate(const nsbox_config *cfg)
{
	const struct nsbox_net_cfg *c = cfg->net;

	if (!c || (cfg->ns & NSBOX_NS_NET))
		return 0;
	if (c->n_veth || c->n_addr)
		return nsbox__fail(-EINVAL, "config: veth pairs and addresses need a new network namespace (NSBOX_NS_NET)");
	if (c->loopback_set)
		return nsbox__fail(-EINVAL, "config: the loopback setting needs a new network namespace (NSBOX_NS_NET)");
	return 0;
}

static void set_ifr(struct ifreq *ifr, const char *name)
{
	memset(ifr, 0, sizeof(*ifr));
	memcpy(ifr->ifr_name, name, strlen(name) + 1);
}

static void fill_addrmsg(struct nsbox_net_addrmsg *m, const struct nsbox_net_addr *a, int ifindex, uint32_t seq)
{
	size_t alen = a->family == AF_INET ? 4 : 16;
	unsigned char *at = m->attrs;

	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_type = RTM_NEWADDR;
	m->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	m->nh.nlmsg_seq = seq;
	m->ifa.ifa_family = (unsigned char)a->family;
	m->ifa.ifa_prefixlen = a->prefix;
	/* No duplicate address detection: the address is usable at once. */
	m->ifa.ifa_flags = a->family == AF_INET6 ? IFA_F_NODAD : 0;
	m->ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	m->ifa.ifa_index = (unsigned)ifindex;
	for (int i = 0; i < 2; i++) {
		struct rtattr *rta = (struct rtattr *)(void *)at;
		rta->rta_type = i == 0 ? IFA_LOCAL : IFA_ADDRESS;
		rta->rta_len = (unsigned short)RTA_LENGTH(alen);
		memcpy(RTA_DATA(rta), a->bytes, alen);
		at += RTA_ALIGN(RTA_LENGTH(alen));
	}
	m->nh.nlmsg_len = (uint32_t)(at - (unsigned char *)m);
}

int nsbox__net_prepare(const nsbox_config *cfg, struct nsbox_plan *p)
{
	const struct nsbox_net_cfg *c = cfg->net;
	struct nsbox_net_plan *n;
	int loopback = c ? c->loopback : 1;
	uint32_t n_veth = c ? c->n_veth : 0;

	if (!(cfg->ns & NSBOX_NS_NET) || (!loopback && !n_veth))
		return 0;
	n = calloc(1, sizeof(*n));
	if (!n)
		return nsbox__fail(-ENOMEM, "spawn: out of memory");
	n->loopback = loopback;
	set_ifr(&n->lo, "lo");
	n->n_veth = n_veth;
	for (uint32_t i = 0; i < n_veth; i++) {
		n->veth[i] = c->veth[i];
		set_ifr(&n->child_ifr[i], c->veth[i].child);
		set_ifr(&n->ethtool_ifr[i], c->veth[i].child);
		n->glink[i].cmd = ETHTOOL_GLINK;
		n->ethtool_ifr[i].ifr_data = (char *)&n->glink[i];
	}
	n->n_addr = c ? c->n_addr : 0;
	for (uint32_t i = 0; i < n->n_addr; i++) {
		const struct nsbox_net_addr *a = &c->addr[i];
		n->addr[i] = *a;
		if (!a->child)
			continue;
		/* ifindex 0 until the child knows it */
		fill_addrmsg(&n->child_msgs[n->n_child_msgs], a, 0, 0x4e530000u + i);
		n->child_msg_veth[n->n_child_msgs] = a->veth;
		n->child_msg_addr[n->n_child_msgs] = i;
		n->n_child_msgs++;
	}
	p->net = n;
	p->fallible = 1;
	/* The pair is made by the parent while the child waits. */
	if (n_veth)
		p->parent_sync = 1;
	return 0;
}

void nsbox__net_plan_free(struct nsbox_plan *p)
{
	free(p->net);
	p->net = NULL;
}

/* ---- parent side: rtnetlink ---- */

/* A netlink conversation of the parent. */
struct nl {
	int fd;
	uint32_t seq;
	char ext[160]; /* the kernel's extended ACK message, if any */
	char rx[8192] __attribute__((aligned(8)));
};

static int nl_open(struct nl *nl)
{
	int one = 1;

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return -errno;
	/* Best effort: the kernel's own words about a refusal, and no copy of
	 * the request in error replies. */
	(void)setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->seq = 0x4e500000u;
	return 0;
}

static void nl_ext_ack(struct nl *nl, const struct nlmsghdr *h)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	const struct rtattr *rta;
	size_t left;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || h->nlmsg_len <= off)
		return;
	rta = (const struct rtattr *)(const void *)((const char *)h + off);
	left = h->nlmsg_len - off;
	for (; RTA_OK(rta, left); rta = RTA_NEXT(rta, left)) {
		if (rta->rta_type == NLMSGERR_ATTR_MSG && RTA_PAYLOAD(rta) > 1) {
			snprintf(nl->ext, sizeof(nl->ext), "%.*s", (int)RTA_PAYLOAD(rta) - 1,
			         (const char *)RTA_DATA(rta));
			return;
		}
	}
}

/* Send one request (its seq is set here) and wait for its ACK: 0 or -errno.
 * Replies before the ACK go to @reply, if any. */
static int nl_talk_reply(struct nl *nl, struct nlmsghdr *req, void (*reply)(const struct nlmsghdr *h, void *arg),
                         void *arg)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t len;

	nl->ext[0] = '\0';
	req->nlmsg_seq = ++nl->seq;
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	do
		len = sendto(nl->fd, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	while (len < 0 && errno == EINTR);
	if (len < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *h;
		size_t left;

		len = recv(nl->fd, nl->rx, sizeof(nl->rx), 0);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return -errno;
		if (len == 0)
			return -EIO;
		left = (size_t)len;
		for (h = (struct nlmsghdr *)(void *)nl->rx; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type != NLMSG_ERROR && reply)
				reply(h, arg);
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EIO;
				if (e->error < 0)
					nl_ext_ack(nl, h);
				return e->error > 0 ? -EIO : e->error;
			}
		}
	}
}

/* Append an attribute. The requests below need at most 16 + 16 + 20 + 4 +
 * 12 + 4 + 20 + 20 + 8 = 120 bytes (names of 15 bytes), far below the 512
 * of union nl_req. */
static int nl_talk(struct nl *nl, struct nlmsghdr *req)
{
	return nl_talk_reply(nl, req, NULL, NULL);
}

static struct rtattr *nla_put(struct nlmsghdr *h, int type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)(void *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	rta->rta_type = (unsigned short)type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	h->nlmsg_len = (uint32_t)(NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len));
	return rta;
}

static void nla_end(struct nlmsghdr *h, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)h + h->nlmsg_len - (char *)nest);
}

union nl_req {
	struct nlmsghdr nh;
	char buf[512];
};

static struct ifinfomsg *link_req(union nl_req *r, int type, int flags, int ifindex)
{
	struct ifinfomsg *ifi;

	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_type = (unsigned short)type;
	r->nh.nlmsg_flags = (unsigned short)flags;
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	ifi = NLMSG_DATA(&r->nh);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return ifi;
}

/* RTM_NEWLINK kind veth: @host here, @child straight into the namespace of @nsfd. */
static int nl_new_veth(struct nl *nl, const char *host, const char *child, int nsfd)
{
	union nl_req r;
	struct rtattr *linkinfo, *data, *peer;
	struct ifinfomsg peer_ifi = { .ifi_family = AF_UNSPEC };
	uint32_t fd = (uint32_t)nsfd;

	link_req(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	nla_put(&r.nh, IFLA_IFNAME, host, strlen(host) + 1);
	linkinfo = nla_put(&r.nh, IFLA_LINKINFO, NULL, 0);
	nla_put(&r.nh, IFLA_INFO_KIND, "veth", 5);
	data = nla_put(&r.nh, IFLA_INFO_DATA, NULL, 0);
	peer = nla_put(&r.nh, VETH_INFO_PEER, &peer_ifi, sizeof(peer_ifi));
	nla_put(&r.nh, IFLA_IFNAME, child, strlen(child) + 1);
	nla_put(&r.nh, IFLA_NET_NS_FD, &fd, sizeof(fd));
	nla_end(&r.nh, peer);
	nla_end(&r.nh, data);
	nla_end(&r.nh, linkinfo);
	return nl_talk(nl, &r.nh);
}

static int nl_link_up(struct nl *nl, int ifindex)
{
	union nl_req r;
	struct ifinfomsg *ifi = link_req(&r, RTM_NEWLINK, 0, ifindex);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_talk(nl, &r.nh);
}

/* RTM_DELLINK by index, or by name when the index is not known. */
static int nl_del_link(struct nl *nl, int ifindex, const char *name)
{
	union nl_req r;

	link_req(&r, RTM_DELLINK, 0, ifindex);
	if (ifindex <= 0)
		nla_put(&r.nh, IFLA_IFNAME, name, strlen(name) + 1);
	return nl_talk(nl, &r.nh);
}

static int get_ifindex(const char *name)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -errno;
	set_ifr(&ifr, name);
	r = ioctl(fd, SIOCGIFINDEX, &ifr) < 0 ? -errno : ifr.ifr_ifindex;
	close(fd);
	return r;
}

/* " (kernel: ...)" when the kernel explained itself. */
static const char *ext_note(const struct nl *nl, char *buf, size_t len)
{
	if (!nl->ext[0])
		return "";
	snprintf(buf, len, " (kernel: %s)", nl->ext);
	return buf;
}

static void delete_host_ends(struct nsbox_net_plan *n, struct nl *nl)
{
	struct nl *own = NULL;
	uint32_t i;

	for (i = 0; i < n->n_veth && !n->host_created[i]; i++)
		;
	if (i == n->n_veth)
		return;
	if (!nl) {
		/* If this fails, the kernel still removes each pair with the
		 * child's namespace, only later. */
		if (!(own = malloc(sizeof(*own))))
			return;
		if (nl_open(own) < 0) {
			free(own);
			return;
		}
		nl = own;
	}
	for (uint32_t i = 0; i < n->n_veth; i++) {
		if (!n->host_created[i])
			continue;
		/* ENODEV: already gone with the child's namespace. */
		(void)nl_del_link(nl, n->host_ifindex[i], n->veth[i].host);
		n->host_created[i] = 0;
		n->host_ifindex[i] = 0;
	}
	if (own) {
		close(own->fd);
		free(own);
	}
}

void nsbox__net_abort(struct nsbox_plan *p)
{
	if (p->net)
		delete_host_ends(p->net, NULL);
}

static int make_pair(struct nsbox_net_plan *n, struct nl *nl, uint32_t v, int nsfd)
{
	const struct nsbox_net_veth *ve = &n->veth[v];
	char note[200];
	int r;

	r = nl_new_veth(nl, ve->host, ve->child, nsfd);
	if (r == -EPERM)
		return nsbox__fail_sys(r, "parent: RTM_NEWLINK %s/%s (creating a veth pair needs CAP_NET_ADMIN over "
		                          "the spawning process's network namespace)", ve->host, ve->child);
	if (r == -EEXIST)
		return nsbox__fail_sys(r, "parent: RTM_NEWLINK %s/%s (an interface named %s exists in the spawning "
		                          "process's network namespace)", ve->host, ve->child, ve->host);
	if (r == -EOPNOTSUPP)
		return nsbox__fail_sys(r, "parent: RTM_NEWLINK %s/%s (no veth support in this kernel: "
		                          "CONFIG_VETH)", ve->host, ve->child);
	if (r < 0)
		return nsbox__fail_sys(r, "parent: RTM_NEWLINK %s/%s%s", ve->host, ve->child,
		                       ext_note(nl, note, sizeof(note)));
	n->host_created[v] = 1;
	r = get_ifindex(ve->host);
	if (r < 0)
		return nsbox__fail_sys(r, "parent: find %s (SIOCGIFINDEX)", ve->host);
	n->host_ifindex[v] = r;
	for (uint32_t i = 0; i < n->n_addr; i++) {
		const struct nsbox_net_addr *a = &n->addr[i];
		struct nsbox_net_addrmsg m;

		if (a->veth != v || a->child)
			continue;
		fill_addrmsg(&m, a, n->host_ifindex[v], 0);
		if ((r = nl_talk(nl, &m.nh)) < 0)
			return nsbox__fail_sys(r, "parent: RTM_NEWADDR %s on %s%s", a->text, ve->host,
			                       ext_note(nl, note, sizeof(note)));
	}
	if ((r = nl_link_up(nl, n->host_ifindex[v])) < 0)
		return nsbox__fail_sys(r, "parent: set %s up%s", ve->host, ext_note(nl, note, sizeof(note)));
	return 0;
}

int nsbox__net_parent(struct nsbox_plan *p, pid_t pid, int pidfd)
{
	struct nsbox_net_plan *n = p->net;
	struct nl *nl;
	char path[64];
	int nsfd, r = 0;

	if (!n || !n->n_veth)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return nsbox__fail_sys(-errno, "parent: open %s", path);
	/* The pidfd pins the child: alive now, so the file was its namespace. */
	if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0 && errno == ESRCH) {
		close(nsfd);
		return nsbox__fail(-ESRCH, "parent: the child died before its veth pairs were made");
	}
	nl = malloc(sizeof(*nl));
	if (!nl) {
		close(nsfd);
		return nsbox__fail(-ENOMEM, "parent: out of memory");
	}
	if ((r = nl_open(nl)) < 0) {
		r = nsbox__fail_sys(r, "parent: open a NETLINK_ROUTE socket");
	} else {
		for (uint32_t v = 0; v < n->n_veth && r == 0; v++)
			r = make_pair(n, nl, v, nsfd);
		if (r < 0)
			delete_host_ends(n, nl);
		close(nl->fd);
	}
	free(nl);
	close(nsfd);
	return r;
}

/* ---- the child's failures ---- */

int nsbox__net_child_error(const struct nsbox_plan *p, int err, int detail)
{
	struct nsbox_net_plan *n = p->net;
	int op = NSBOX_NET_DETAIL_OP(detail);
	uint32_t i = (uint32_t)NSBOX_NET_DETAIL_INDEX(detail);
	int r;

	if (!n)
		return nsbox__fail_sys(-err, "child: network");
	switch (op) {
	case NSBOX_NET_OP_LO:
		r = nsbox__fail_sys(-err, "child: network: bring lo up");
		break;
	case NSBOX_NET_OP_SOCKET:
		r = nsbox__fail_sys(-err, "child: network: open an AF_INET datagram socket");
		break;
	case NSBOX_NET_OP_NETLINK:
		r = nsbox__fail_sys(-err, "child: network: open a NETLINK_ROUTE socket");
		break;
	case NSBOX_NET_OP_IFINDEX:
		r = nsbox__fail_sys(-err, "child: network: find %s (SIOCGIFINDEX)", i < n->n_veth ? n->veth[i].child : "?");
		break;
	case NSBOX_NET_OP_ADDR:
		if (i < n->n_addr)
			r = nsbox__fail_sys(-err, "child: network: RTM_NEWADDR %s on %s", n->addr[i].text,
			                    n->veth[n->addr[i].veth].child);
		else
			r = nsbox__fail_sys(-err, "child: network: RTM_NEWADDR");
		break;
	case NSBOX_NET_OP_UP:
		r = nsbox__fail_sys(-err, "child: network: set %s up", i < n->n_veth ? n->veth[i].child : "?");
		break;
	default:
		r = nsbox__fail_sys(-err, "child: network");
		break;
	}
	/* The child is about to go; its end of each pair goes with its
	 * namespace, but only some time later: remove the host ends now. */
	delete_host_ends(n, NULL);
	return r;
}
