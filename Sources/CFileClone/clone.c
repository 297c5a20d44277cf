#define _GNU_SOURCE
#include "CFileClone.h"
#include <errno.h>
#include <unistd.h>
#include <sys/ioctl.h>
#ifdef __linux__
#include <linux/fs.h>
#endif

int preflight_clone_fd(int dst, int src) {
#if defined(__linux__) && defined(FICLONE)
    return ioctl(dst, FICLONE, src);
#else
    (void)dst; (void)src;
    errno = EOPNOTSUPP;
    return -1;
#endif
}

long preflight_copy_range(int src, int dst, size_t length) {
#ifdef __linux__
    return (long)copy_file_range(src, NULL, dst, NULL, length, 0);
#else
    (void)src; (void)dst; (void)length;
    errno = ENOSYS;
    return -1;
#endif
}
