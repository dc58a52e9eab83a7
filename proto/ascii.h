/*
 * ascii.h: byte classes shared by the parsers in proto/, locale-free
 * (ctype.h answers by locale, and a parser must not).
 */
#ifndef BEACON_ASCII_H
#define BEACON_ASCII_H

/* The value of a hex digit, or -1 when c is not one. */
static inline int ascii_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

#endif
