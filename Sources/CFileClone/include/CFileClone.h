#ifndef CFILECLONE_H
#define CFILECLONE_H
#include <stddef.h>
#include <sys/types.h>

/// Asks the filesystem for a copy-on-write clone of `src` into `dst` (both open descriptors):
/// 0 on success, else -1 with errno (EOPNOTSUPP, EXDEV, EINVAL, ENOTTY where clones are not offered).
/// A wrapper because ioctl(2) is variadic and Swift cannot call it.
int preflight_clone_fd(int dst, int src);

/// In-kernel copy of up to `length` bytes from the current offsets (copy_file_range(2)): the bytes
/// copied, 0 at end of file, or -1 with errno.
long preflight_copy_range(int src, int dst, size_t length);

#endif
