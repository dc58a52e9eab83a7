/*
 * bench/nolog.c: linked into build/bench/beacond-nolog only, to measure
 * what the write-ahead log costs (bench/wal_cost.sh). With
 * -Wl,--wrap=pwrite64,--wrap=walrec_block_seal the log's one write per
 * loop turn and its block CRC do nothing; the records are still encoded
 * in place and positions still advance, so batches, journal and
 * checkpoints run as in beacond. Its only pwrite is the log's. Never
 * run it for real: a crash loses every hit it did not write.
 */
#include <stddef.h>
#include <sys/types.h>

ssize_t __wrap_pwrite64(int fd, const void *buf, size_t n, off_t off);
void __wrap_walrec_block_seal(char *block, size_t records_len);

ssize_t __wrap_pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    (void)fd;
    (void)buf;
    (void)off;
    return (ssize_t)n;
}

void __wrap_walrec_block_seal(char *block, size_t records_len)
{
    (void)block;
    (void)records_len;
}
