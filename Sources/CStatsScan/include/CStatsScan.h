#ifndef CSTATSSCAN_H
#define CSTATSSCAN_H

#include <stddef.h>
#include <stdint.h>

/// Splits the stats CSV record that starts at `start` into cells.
///
/// For each cell at position p <= last_known_position, writes the cell's byte range into
/// `ranges[slot_at[p]]` (start) and `ranges[slot_at[p] + 1]` (end); columns the caller does not keep
/// point at a scratch slot. Returns the index of
/// the record's end (its CR or LF, or `count`), or -1 when the record holds a double quote anywhere:
/// quoted cells are left to the caller's general loop, which unescapes them.
long haws_scan_plain_record(const uint8_t *bytes, long count, long start, const long *slot_at,
                            long last_known_position, long *ranges);

#endif
