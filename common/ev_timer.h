/*
 * ev_timer.h: arming a libevent timer in milliseconds, the unit every
 * timeout of beacond is configured in.
 */
#ifndef BEACON_EV_TIMER_H
#define BEACON_EV_TIMER_H

#include <event2/event.h>
#include <stdint.h>

#include "common/log.h"

/* Arms ev to fire in ms milliseconds. event_add fails only when libevent
 * runs out of memory: logged, the timer then never fires. */
static inline void ev_arm_ms(struct event *ev, uint64_t ms)
{
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
    if (event_add(ev, &tv) < 0) {
        log_error("cannot arm a timer of %llu ms", (unsigned long long)ms);
    }
}

#endif
