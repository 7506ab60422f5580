// What Swift cannot import from ncursesw directly: function-like macros, attribute bits, and C
// globals that Swift 6 strict concurrency refuses to touch. One owner (the UI loop) calls these.
#ifndef HAWS_CNCURSES_SHIM_H
#define HAWS_CNCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <stdio.h>
#include <ncursesw/curses.h>

static inline int haws_color_pair(int n) { return COLOR_PAIR(n); }
static inline int haws_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int haws_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline attr_t haws_a_bold(void) { return A_BOLD; }
static inline attr_t haws_a_dim(void) { return A_DIM; }
static inline attr_t haws_a_reverse(void) { return A_REVERSE; }
static inline attr_t haws_a_underline(void) { return A_UNDERLINE; }
static inline attr_t haws_a_normal(void) { return A_NORMAL; }
static inline WINDOW *haws_stdscr(void) { return stdscr; }
static inline int haws_lines(void) { return LINES; }
static inline int haws_cols(void) { return COLS; }
static inline int haws_colors(void) { return COLORS; }
static inline SCREEN *haws_newterm(const char *term) { return newterm(term, stdout, stdin); }
static inline int haws_wcwidth(wchar_t c) { return wcwidth(c); }

#endif
