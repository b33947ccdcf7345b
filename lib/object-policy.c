/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The shared policy of an object (tmpfs files and SysV segments, not
 * hugetlb): the kernel keeps it in the inode, so it is read through our
 * own mapping of the object and set with mbind(2) on a read-write one.
 */
#include <errno.h>
#include <fcntl.h>
#include <numaif.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "object.h"

/* The shared policy at the start of the mapping (the kernel keeps it in the inode). */
int nm_object_read_policy(struct numamove_object *obj)
{
	unsigned long mask[NM_MASK_WORDS] = { 0 };
	struct numamove_policy *pol = NULL;
	char *text;
	int mode = 0, r, len;

	if (!numamove_object_has_shared_policy(obj))
		return 0;
	if (obj->addr && get_mempolicy(&mode, mask, NM_MASK_BITS + 1, obj->addr, MPOL_F_ADDR) < 0)
		return -errno;
	r = nm_policy_from_kernel(mode, mask, NM_MASK_BITS, &pol);
	if (r < 0)
		return r;
	len = numamove_policy_format(pol, NULL, 0);
	text = len < 0 ? NULL : malloc((size_t)len + 1);
	if (text)
		numamove_policy_format(pol, text, (size_t)len + 1);
	numamove_policy_free(pol);
	if (!text)
		return -ENOMEM;
	free(obj->policy);
	obj->policy = text;
	return 0;
}

/* mbind(2) of the whole object, on a read-write mapping of our own. */
NM_EXPORT int numamove_object_set_policy(struct numamove_object *obj, const struct numamove_policy *policy)
{
	unsigned long mask[NM_MASK_WORDS];
	size_t len = nm_object_len(obj);
	int mode, r;
	void *p;

	if (!numamove_object_has_shared_policy(obj))
		return -EOPNOTSUPP;
	r = nm_policy_supported(policy);
	if (r < 0)
		return r;
	r = nm_policy_to_kernel(policy, &mode, mask, NM_MASK_BITS);
	if (r < 0)
		return r;
	r = 0;
	if (len == 0)
		return 0;
	/* Write permission on the object is what a policy change asks for. */
	if (obj->type == NUMAMOVE_OBJECT_SYSV) {
		p = shmat(obj->shmid, NULL, 0);
		if (p == (void *)-1)
			return errno == EINVAL || errno == EIDRM ? -ENOENT : -errno;
	} else {
		/* The file we hold, not whatever its path (maybe another mount namespace's) names now. */
		_cleanup_close_ int fd = nm_object_reopen(obj->fd, O_RDWR);

		if (fd < 0)
			return fd;
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return -errno;
	}
	if (mbind(p, len, mode, policy->nodes->n ? mask : NULL, policy->nodes->n ? NM_MASK_BITS + 1 : 0, 0) < 0)
		r = -errno;
	if (obj->type == NUMAMOVE_OBJECT_SYSV)
		shmdt(p);
	else
		munmap(p, len);
	if (r == 0 && obj->addr)
		r = nm_object_read_policy(obj);
	if (obj->maps.n)
		obj->map.policy = obj->policy ? obj->policy : (char *)"default";
	return r;
}
