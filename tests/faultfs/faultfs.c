/*
 * faultfs: a FUSE passthrough file system whose fsync/fdatasync, truncate/ftruncate, write and
 * fallocate can be made to fail with EIO or ENOSPC while it is mounted, so that an end-to-end test can
 * give a real server a failing disk (tests/Citadel.EndToEnd.Tests/AuditFaultFsTests.cs), and whose
 * syncs can be made slower, to stand for a slow disk where there is no device-mapper "delay" target
 * (bench/slowsync/load.sh). Everything else, and every operation while its fault is off, goes straight
 * to the directory it mirrors: pwrite at the offset asked, fdatasync/fsync forwarded to the backing
 * file. Locks (flock, fcntl) are not implemented here on purpose: the kernel then keeps them itself,
 * per inode of the mount, which is what the processes on this one machine need (tested).
 *
 *   cc -O2 -Wall -o faultfs faultfs.c $(pkg-config --cflags --libs fuse3)
 *   ./faultfs BACKING_DIR MOUNTPOINT [SYNC_MICROSECONDS]
 * It returns once mounted and serves in the background (unmount: fusermount3 -u MOUNTPOINT). With
 * SYNC_MICROSECONDS, every fsync and fdatasync takes at least that much longer than the backing disk's.
 *
 * Control: the file MOUNTPOINT/.faultfs, which is not in the backing directory. Write one line of
 * space-separated words; each sets one thing and leaves the rest as they were:
 *   fsync=EIO|ENOSPC|off       fsync and fdatasync of files (and fsync of directories)
 *   truncate=EIO|ENOSPC|off    truncate, ftruncate, and open with O_TRUNC
 *   write=EIO|ENOSPC|off       write (pwrite) of files
 *   fallocate=EIO|ENOSPC|off   fallocate
 *   OP=ERRNO:N                 the next N calls of OP fail, then its fault is off (fsync=EIO:1: one fdatasync)
 *   match=TEXT                 faults hit only paths (inside the mount) that contain TEXT; "match=" hits all
 *   off                        every fault off (match is kept)
 *   e.g.  echo "match=/audit-journal/ fsync=EIO truncate=EIO" > MOUNTPOINT/.faultfs
 * A word it does not know fails the write with EINVAL. Reading the file gives the settings and how
 * many calls each fault has failed so far ("fsync=EIO 3 truncate=off 0 write=ENOSPC:2 0 fallocate=off 0 match=...",
 * where :2 is how many calls the fault has still to fail).
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <fuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CONTROL "/.faultfs"

enum op { OP_FSYNC, OP_TRUNCATE, OP_WRITE, OP_FALLOCATE, OPS };
static const char *const op_names[OPS] = { "fsync", "truncate", "write", "fallocate" };

static const char *backing;
static long sync_us;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int fault[OPS];              /* 0: off, else the errno the operation fails with */
static long left[OPS];              /* how many more calls the fault fails before it turns off; -1 or 0: until told */
static unsigned long failed[OPS];   /* how many calls each fault failed */
static char match[PATH_MAX];        /* "" : every path */

static void full(char *out, const char *path) { snprintf(out, PATH_MAX, "%s%s", backing, path); }

/* The errno operation o fails with on path (0: carry it out). A path of NULL (a file removed while open) matches only "match=". */
static int injected(enum op o, const char *path)
{
    pthread_mutex_lock(&lock);
    int e = fault[o];
    if (e && match[0] && (!path || !strstr(path, match))) e = 0;
    if (e) {
        failed[o]++;
        if (left[o] > 0 && --left[o] == 0) fault[o] = 0;
    }
    pthread_mutex_unlock(&lock);
    return e;
}

static const char *errno_name(int e) { return e == EIO ? "EIO" : e == ENOSPC ? "ENOSPC" : "off"; }

/* Applies one line written to the control file; -EINVAL for a word it does not know (nothing of that line is applied). */
static int control(const char *buf, size_t size)
{
    char line[PATH_MAX + 256];
    if (size >= sizeof line) return -EINVAL;
    memcpy(line, buf, size);
    line[size] = 0;
    int next[OPS];
    long next_left[OPS];
    char next_match[PATH_MAX];
    pthread_mutex_lock(&lock);
    memcpy(next, fault, sizeof next);
    memcpy(next_left, left, sizeof next_left);
    strcpy(next_match, match);
    pthread_mutex_unlock(&lock);
    char *save = NULL;
    for (char *word = strtok_r(line, " \t\r\n", &save); word; word = strtok_r(NULL, " \t\r\n", &save)) {
        if (strcmp(word, "off") == 0) { memset(next, 0, sizeof next); continue; }
        if (strncmp(word, "match=", 6) == 0) { snprintf(next_match, sizeof next_match, "%s", word + 6); continue; }
        char *eq = strchr(word, '=');
        if (!eq) return -EINVAL;
        *eq = 0;
        int o = 0;
        while (o < OPS && strcmp(word, op_names[o]) != 0) o++;
        if (o == OPS) return -EINVAL;
        char *colon = strchr(eq + 1, ':'), *end = NULL;
        next_left[o] = -1;
        if (colon) {
            *colon = 0;
            next_left[o] = strtol(colon + 1, &end, 10);
            if (*end || next_left[o] <= 0) return -EINVAL;
        }
        if (strcmp(eq + 1, "EIO") == 0) next[o] = EIO;
        else if (strcmp(eq + 1, "ENOSPC") == 0) next[o] = ENOSPC;
        else if (strcmp(eq + 1, "off") == 0 && !colon) next[o] = 0;
        else return -EINVAL;
    }
    pthread_mutex_lock(&lock);
    memcpy(fault, next, sizeof fault);
    memcpy(left, next_left, sizeof left);
    strcpy(match, next_match);
    pthread_mutex_unlock(&lock);
    return (int)size;
}

/* What reading the control file gives. */
static int status(char *out, size_t size)
{
    pthread_mutex_lock(&lock);
    int n = 0;
    for (int o = 0; o < OPS; o++) {
        n += snprintf(out + n, size - n, "%s=%s", op_names[o], errno_name(fault[o]));
        if (fault[o] && left[o] > 0) n += snprintf(out + n, size - n, ":%ld", left[o]);
        n += snprintf(out + n, size - n, " %lu ", failed[o]);
    }
    n += snprintf(out + n, size - n, "match=%s\n", match);
    pthread_mutex_unlock(&lock);
    return n;
}

static int is_control(const char *path) { return path && strcmp(path, CONTROL) == 0; }

static int ff_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    if (is_control(path)) {
        memset(st, 0, sizeof *st);
        st->st_mode = S_IFREG | 0600;
        st->st_nlink = 1;
        st->st_uid = getuid();
        st->st_gid = getgid();
        st->st_size = 4096; /* read with direct_io: the real length is what read returns */
        return 0;
    }
    if (fi) return fstat(fi->fh, st) == -1 ? -errno : 0;
    char p[PATH_MAX]; full(p, path);
    return lstat(p, st) == -1 ? -errno : 0;
}

static int ff_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi, enum fuse_readdir_flags flags)
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

static int ff_mkdir(const char *path, mode_t mode) { char p[PATH_MAX]; full(p, path); return mkdir(p, mode) == -1 ? -errno : 0; }
static int ff_rmdir(const char *path) { char p[PATH_MAX]; full(p, path); return rmdir(p) == -1 ? -errno : 0; }
static int ff_unlink(const char *path) { if (is_control(path)) return -EPERM; char p[PATH_MAX]; full(p, path); return unlink(p) == -1 ? -errno : 0; }
static int ff_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) { if (fi) return fchmod(fi->fh, mode) == -1 ? -errno : 0; char p[PATH_MAX]; full(p, path); return chmod(p, mode) == -1 ? -errno : 0; }
static int ff_chown(const char *path, uid_t u, gid_t g, struct fuse_file_info *fi) { if (fi) return fchown(fi->fh, u, g) == -1 ? -errno : 0; char p[PATH_MAX]; full(p, path); return lchown(p, u, g) == -1 ? -errno : 0; }

/* rename(2) and renameat2's RENAME_NOREPLACE / RENAME_EXCHANGE, as the backing file system does them. */
static int ff_rename(const char *from, const char *to, unsigned int flags)
{
    char a[PATH_MAX], b[PATH_MAX]; full(a, from); full(b, to);
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, flags) == -1 ? -errno : 0;
}

static int ff_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    if (is_control(path)) return 0; /* "echo … > .faultfs" opens it with O_TRUNC */
    int e = injected(OP_TRUNCATE, path);
    if (e) return -e;
    if (fi) return ftruncate(fi->fh, size) == -1 ? -errno : 0;
    char p[PATH_MAX]; full(p, path);
    return truncate(p, size) == -1 ? -errno : 0;
}

static int ff_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    if (is_control(path)) return 0;
    if (fi) return futimens(fi->fh, tv) == -1 ? -errno : 0;
    char p[PATH_MAX]; full(p, path);
    return utimensat(AT_FDCWD, p, tv, AT_SYMLINK_NOFOLLOW) == -1 ? -errno : 0;
}

static int ff_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    char p[PATH_MAX]; full(p, path);
    int fd = open(p, fi->flags, mode);
    if (fd == -1) return -errno;
    fi->fh = fd;
    return 0;
}

static int ff_open(const char *path, struct fuse_file_info *fi)
{
    if (is_control(path)) {
        fi->direct_io = 1; /* reads and writes reach control() and status() every time, past the page cache */
        fi->fh = (uint64_t)-1;
        return 0;
    }
    if (fi->flags & O_TRUNC) {
        int e = injected(OP_TRUNCATE, path);
        if (e) return -e;
    }
    char p[PATH_MAX]; full(p, path);
    int fd = open(p, fi->flags);
    if (fd == -1) return -errno;
    fi->fh = fd;
    return 0;
}

static int ff_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    if (is_control(path)) {
        char text[PATH_MAX + 256];
        int n = status(text, sizeof text);
        if (off >= n) return 0;
        size_t take = (size_t)(n - off) < size ? (size_t)(n - off) : size;
        memcpy(buf, text + off, take);
        return (int)take;
    }
    ssize_t n = pread(fi->fh, buf, size, off);
    return n == -1 ? -errno : (int)n;
}

static int ff_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    if (is_control(path)) return control(buf, size);
    int e = injected(OP_WRITE, path);
    if (e) return -e;
    ssize_t n = pwrite(fi->fh, buf, size, off);
    return n == -1 ? -errno : (int)n;
}

static int ff_fallocate(const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi)
{
    int e = injected(OP_FALLOCATE, path);
    if (e) return -e;
    return fallocate(fi->fh, mode, off, len) == -1 ? -errno : 0;
}

static int ff_statfs(const char *path, struct statvfs *st) { char p[PATH_MAX]; full(p, path); return statvfs(p, st) == -1 ? -errno : 0; }
static int ff_release(const char *path, struct fuse_file_info *fi) { (void)path; if (fi->fh != (uint64_t)-1) close(fi->fh); return 0; }

static int ff_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    if (is_control(path)) return 0;
    int e = injected(OP_FSYNC, path);
    if (e) return -e;
    if ((datasync ? fdatasync(fi->fh) : fsync(fi->fh)) == -1) return -errno;
    struct timespec t = { sync_us / 1000000, (sync_us % 1000000) * 1000 };
    if (sync_us) nanosleep(&t, NULL);
    return 0;
}

/* A directory's fsync (the server syncs its journal directory after a rename), forwarded to the backing directory. */
static int ff_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)fi;
    int e = injected(OP_FSYNC, path);
    if (e) return -e;
    char p[PATH_MAX]; full(p, path);
    int fd = open(p, O_RDONLY | O_DIRECTORY);
    if (fd == -1) return -errno;
    int r = datasync ? fdatasync(fd) : fsync(fd);
    int saved = errno;
    close(fd);
    return r == -1 ? -saved : 0;
}

static void *ff_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)conn;
    /* A file removed while open is removed at once, not renamed to .fuse_hidden… where a directory listing would show it. */
    cfg->hard_remove = 1;
    return NULL;
}

static const struct fuse_operations ops = {
    .init = ff_init, .getattr = ff_getattr, .readdir = ff_readdir, .mkdir = ff_mkdir, .rmdir = ff_rmdir,
    .unlink = ff_unlink, .rename = ff_rename, .chmod = ff_chmod, .chown = ff_chown, .truncate = ff_truncate,
    .utimens = ff_utimens, .create = ff_create, .open = ff_open, .read = ff_read, .write = ff_write,
    .fallocate = ff_fallocate, .statfs = ff_statfs, .release = ff_release, .fsync = ff_fsync, .fsyncdir = ff_fsyncdir,
};

int main(int argc, char *argv[])
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s BACKING_DIR MOUNTPOINT [SYNC_MICROSECONDS]\n", argv[0]);
        return 2;
    }

    backing = realpath(argv[1], NULL);
    sync_us = argc == 4 ? atol(argv[3]) : 0;
    if (!backing) { perror(argv[1]); return 1; }
    char *fargs[] = { argv[0], argv[2], "-o", "default_permissions", NULL };
    return fuse_main(4, fargs, &ops, NULL);
}
