/*
 * resp.h: a Redis command as RESP, the bytes redis-server reads: an array
 * of bulk strings, "*<argc>\r\n" then "$<len>\r\n<bytes>\r\n" per argument.
 * Pure: no allocation, no I/O. (hiredis formats the same bytes through a
 * printf-like builder per argument; a batch has 100 000s of arguments.)
 */
#ifndef BEACON_RESP_H
#define BEACON_RESP_H

#include <stddef.h>

/* The bytes of the command argv[0..argc) (argvlen[i] bytes each). */
size_t resp_command_size(int argc, const size_t *argvlen);

/* Writes the command to out, which holds resp_command_size() bytes;
 * returns that size. */
size_t resp_command_write(char *out, int argc, const char *const *argv,
                          const size_t *argvlen);

#endif
