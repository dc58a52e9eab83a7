/*
 * clock.h: milliseconds, from the two clocks beacond reads. Wall time
 * names things (days, batch numbers of a new data dir); monotonic time
 * measures how long something took or has left, whatever the wall clock
 * does meanwhile.
 */
#ifndef BEACON_CLOCK_H
#define BEACON_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline uint64_t clock_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#endif
