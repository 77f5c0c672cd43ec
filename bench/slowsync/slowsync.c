/*
 * slowsync: a FUSE passthrough filesystem whose fsync and fdatasync take at least a given time, to
 * stand for a slow disk (a device-mapper "delay" target where there is none). Everything else goes
 * straight to the directory it mirrors.
 *   cc -O2 -o slowsync slowsync.c $(pkg-config --cflags --libs fuse3)
 *   ./slowsync BACKING_DIR MOUNTPOINT SYNC_MICROSECONDS    (unmount: fusermount3 -u MOUNTPOINT)
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <fuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *backing;
static long sync_us;

static void full(char *out, const char *path) { snprintf(out, PATH_MAX, "%s%s", backing, path); }

static int ss_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    if (fi) return fstat(fi->fh, st) == -1 ? -errno : 0;
    char p[PATH_MAX]; full(p, path);
    return lstat(p, st) == -1 ? -errno : 0;
}

static int ss_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)off; (void)fi; (void)flags;
    char p[PATH_MAX]; full(p, path);
    DIR *d = opendir(p);
    if (!d) return -errno;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st = {0};
        st.st_ino = e->d_ino;
        st.st_mode = e->d_type << 12;
        if (fill(buf, e->d_name, &st, 0, 0)) break;
    }
    closedir(d);
    return 0;
}

static int ss_mkdir(const char *path, mode_t mode) { char p[PATH_MAX]; full(p, path); return mkdir(p, mode) == -1 ? -errno : 0; }
static int ss_rmdir(const char *path) { char p[PATH_MAX]; full(p, path); return rmdir(p) == -1 ? -errno : 0; }
static int ss_unlink(const char *path) { char p[PATH_MAX]; full(p, path); return unlink(p) == -1 ? -errno : 0; }
static int ss_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) { if (fi) return fchmod(fi->fh, mode) == -1 ? -errno : 0; char p[PATH_MAX]; full(p, path); return chmod(p, mode) == -1 ? -errno : 0; }
static int ss_chown(const char *path, uid_t u, gid_t g, struct fuse_file_info *fi) { if (fi) return fchown(fi->fh, u, g) == -1 ? -errno : 0; char p[PATH_MAX]; full(p, path); return lchown(p, u, g) == -1 ? -errno : 0; }

static int ss_rename(const char *from, const char *to, unsigned int flags)
{
    if (flags) return -EINVAL;
    char a[PATH_MAX], b[PATH_MAX]; full(a, from); full(b, to);
    return rename(a, b) == -1 ? -errno : 0;
}

static int ss_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    if (fi) return ftruncate(fi->fh, size) == -1 ? -errno : 0;
    char p[PATH_MAX]; full(p, path);
    return truncate(p, size) == -1 ? -errno : 0;
}

static int ss_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    if (fi) return futimens(fi->fh, tv) == -1 ? -errno : 0;
    char p[PATH_MAX]; full(p, path);
    return utimensat(AT_FDCWD, p, tv, AT_SYMLINK_NOFOLLOW) == -1 ? -errno : 0;
}

static int ss_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    char p[PATH_MAX]; full(p, path);
    int fd = open(p, fi->flags, mode);
    if (fd == -1) return -errno;
    fi->fh = fd;
    return 0;
}

static int ss_open(const char *path, struct fuse_file_info *fi)
{
    char p[PATH_MAX]; full(p, path);
    int fd = open(p, fi->flags);
    if (fd == -1) return -errno;
    fi->fh = fd;
    return 0;
}

static int ss_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path;
    ssize_t n = pread(fi->fh, buf, size, off);
    return n == -1 ? -errno : (int)n;
}

static int ss_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path;
    ssize_t n = pwrite(fi->fh, buf, size, off);
    return n == -1 ? -errno : (int)n;
}

static int ss_statfs(const char *path, struct statvfs *st) { char p[PATH_MAX]; full(p, path); return statvfs(p, st) == -1 ? -errno : 0; }
static int ss_release(const char *path, struct fuse_file_info *fi) { (void)path; close(fi->fh); return 0; }

/* The point of it: a sync takes sync_us longer than the backing disk's. */
static int ss_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)path;
    int r = datasync ? fdatasync(fi->fh) : fsync(fi->fh);
    if (r == -1) return -errno;
    struct timespec t = { sync_us / 1000000, (sync_us % 1000000) * 1000 };
    nanosleep(&t, NULL);
    return 0;
}

static int ss_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) { (void)path; (void)datasync; (void)fi; return 0; }

static const struct fuse_operations ops = {
    .getattr = ss_getattr, .readdir = ss_readdir, .mkdir = ss_mkdir, .rmdir = ss_rmdir, .unlink = ss_unlink,
    .rename = ss_rename, .chmod = ss_chmod, .chown = ss_chown, .truncate = ss_truncate, .utimens = ss_utimens,
    .create = ss_create, .open = ss_open, .read = ss_read, .write = ss_write, .statfs = ss_statfs,
    .release = ss_release, .fsync = ss_fsync, .fsyncdir = ss_fsyncdir,
};

int main(int argc, char *argv[])
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s BACKING_DIR MOUNTPOINT SYNC_MICROSECONDS\n", argv[0]);
        return 2;
    }

    backing = realpath(argv[1], NULL);
    sync_us = atol(argv[3]);
    if (!backing) { perror(argv[1]); return 1; }
    char *fargs[] = { argv[0], argv[2], "-o", "default_permissions", NULL };
    return fuse_main(4, fargs, &ops, NULL);
}
