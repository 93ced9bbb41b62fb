/* faultvfs.c - see faultvfs.h. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "store/sqlite/faultvfs.h"
#include "util/banned.h"

struct ffile {
    sqlite3_file base;
    sqlite3_file *real; /* follows this struct in the same allocation */
};

static sqlite3_vfs *orig;
static sqlite3_vfs vfs;
static atomic_long remaining = -1; /* writes left before failing; -1: not armed */
static atomic_int kind;
static atomic_long faults;
static const char *_Atomic flag_path;

static int failing(void)
{
    const char *p = atomic_load(&flag_path);
    bool fail = p && access(p, F_OK) == 0;
    if (!fail) {
        long r = atomic_load(&remaining);
        while (r >= 0 && !atomic_compare_exchange_weak(&remaining, &r, r > 0 ? r - 1 : 0))
            ;
        fail = r == 0;
    }
    if (!fail)
        return SQLITE_OK;
    atomic_fetch_add(&faults, 1);
    return atomic_load(&kind) == FAULT_FULL ? SQLITE_FULL : SQLITE_IOERR_WRITE;
}

#define REAL(f) (((struct ffile *)(f))->real)

static int f_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}
static int f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), b, n, off);
}
static int f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 off)
{
    int rc = failing();
    return rc ? rc : REAL(f)->pMethods->xWrite(REAL(f), b, n, off);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = failing();
    return rc ? (rc == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_TRUNCATE)
              : REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int f_sync(sqlite3_file *f, int flags)
{
    int rc = failing();
    return rc ? (rc == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_FSYNC)
              : REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int f_lock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int f_unlock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int f_check(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int f_fcntl(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int f_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int f_devchar(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int f_shmmap(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, pp);
}
static int f_shmlock(sqlite3_file *f, int off, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void f_shmbarrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int f_shmunmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    if (REAL(f)->pMethods->iVersion < 3) {
        *pp = NULL;
        return SQLITE_OK;
    }
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}
static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->iVersion < 3 ? SQLITE_OK
                                            : REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods methods = {
    3,           f_close,  f_read,     f_write,     f_truncate,  f_sync,     f_size,
    f_lock,      f_unlock, f_check,    f_fcntl,     f_sector,    f_devchar,  f_shmmap,
    f_shmlock,   f_shmbarrier, f_shmunmap, f_fetch, f_unfetch,
};

static int f_open(sqlite3_vfs *v, sqlite3_filename name, sqlite3_file *f, int flags, int *out)
{
    (void)v;
    struct ffile *ff = (struct ffile *)f;
    ff->real = (sqlite3_file *)(ff + 1);
    int rc = orig->xOpen(orig, name, ff->real, flags, out);
    ff->base.pMethods = rc == SQLITE_OK && ff->real->pMethods ? &methods : NULL;
    return rc;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int reg_rc;

static void do_register(void)
{
    orig = sqlite3_vfs_find(NULL);
    if (!orig) {
        reg_rc = -1;
        return;
    }
    vfs = *orig;
    vfs.zName = "kaigo-fault";
    vfs.szOsFile = (int)sizeof(struct ffile) + orig->szOsFile;
    vfs.xOpen = f_open;
    vfs.pNext = NULL;
    reg_rc = sqlite3_vfs_register(&vfs, 1) == SQLITE_OK ? 0 : -1;
}

int faultvfs_register(void)
{
    pthread_once(&once, do_register);
    return reg_rc;
}

void faultvfs_arm(enum fault_kind k, long after)
{
    atomic_store(&kind, (int)k);
    atomic_store(&remaining, after);
}

void faultvfs_disarm(void)
{
    atomic_store(&remaining, -1);
}

void faultvfs_flag_file(const char *path)
{
    atomic_store(&flag_path, path);
}

long faultvfs_faults(void)
{
    return atomic_load(&faults);
}
