// The hot loop of haws's stats CSV parser: at 10,000 servers a `show stat` has about 1.3 million cells
// of one or two bytes each. A byte-at-a-time loop pays a mispredicted branch at nearly every cell end;
// here 16 bytes at a time are compared against the four delimiters at once (SSE2, part of every x86-64
// CPU), and the cells are walked through the bits of the resulting mask. A scalar loop does the same work
// for a record's last bytes, and for everything on CPUs without SSE2. StatsRecordSplitterTests checks the
// result against a byte-by-byte split in Swift, on records of every length around the 16-byte blocks.

#include "CStatsScan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { COMMA = ',', LF = '\n', CR = '\r', QUOTE = '"' };

/// Records the cell [cell_start, end) at `position` (at most the last known one) in its slot. Unkept
/// columns share a scratch slot: a store without a branch, which would mispredict along the header's
/// irregular pattern of kept and unkept columns.
static inline void store(long position, const long *slot_at, long *ranges, long cell_start, long end) {
    long slot = slot_at[position];
    ranges[slot] = cell_start;
    ranges[slot + 1] = end;
}

/// ``store`` for any position: cells past the last known one are not recorded.
static inline void keep(long position, long last_known_position, const long *slot_at, long *ranges,
                        long cell_start, long end) {
    if (position <= last_known_position) store(position, slot_at, ranges, cell_start, end);
}

/// Handles the delimiter at `at`; returns 1 when it ends the record.
static inline int delimiter(uint8_t byte, long at, long *position, long *cell_start, long last_known_position,
                            const long *slot_at, long *ranges) {
    keep(*position, last_known_position, slot_at, ranges, *cell_start, at);
    if (byte != COMMA) return 1;
    *position += 1;
    *cell_start = at + 1;
    return 0;
}

long haws_scan_plain_record(const uint8_t *bytes, long count, long start, const long *slot_at,
                            long last_known_position, long *ranges) {
    long index = start;
    long position = 0;
    long cell_start = start;
#if defined(__SSE2__)
    const __m128i commas = _mm_set1_epi8(COMMA), lfs = _mm_set1_epi8(LF), crs = _mm_set1_epi8(CR),
                  quotes = _mm_set1_epi8(QUOTE);
    while (index + 16 <= count) {
        __m128i block = _mm_loadu_si128((const __m128i *)(bytes + index));
        unsigned ends = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(block, lfs), _mm_cmpeq_epi8(block, crs)));
        // The bits before the record's end in this block (all 16 without an end).
        unsigned before = ends ? (ends & (0u - ends)) - 1 : 0xFFFFu;
        if ((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(block, quotes)) & before) return -1;
        if (position <= last_known_position) {
            unsigned cells = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(block, commas)) & before;
            while (cells) {
                long at = index + __builtin_ctz(cells);
                cells &= cells - 1;
                store(position, slot_at, ranges, cell_start, at);
                position += 1;
                cell_start = at + 1;
                // Past the last kept column only the record's end matters.
                if (position > last_known_position) break;
            }
        }
        if (ends) {
            long at = index + __builtin_ctz(ends);
            keep(position, last_known_position, slot_at, ranges, cell_start, at);
            return at;
        }
        index += 16;
    }
#endif
    for (; index < count; index++) {
        uint8_t byte = bytes[index];
        if (byte > COMMA) continue;
        if (byte == QUOTE) return -1;
        if (byte == COMMA || byte == LF || byte == CR) {
            if (delimiter(byte, index, &position, &cell_start, last_known_position, slot_at, ranges)) {
                return index;
            }
        }
    }
    keep(position, last_known_position, slot_at, ranges, cell_start, count);
    return count;
}
