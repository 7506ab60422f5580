// What Swift cannot import from ncursesw directly: function-like macros, attribute bits, and C
// globals that Swift 6 strict concurrency refuses to touch. One owner (the UI loop) calls these.
#ifndef HAWS_CNCURSES_SHIM_H
#define HAWS_CNCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>
#include <poll.h>
#include <sys/ioctl.h>
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
static inline WINDOW *haws_curscr(void) { return curscr; }
static inline int haws_lines(void) { return LINES; }
static inline int haws_cols(void) { return COLS; }
static inline int haws_colors(void) { return COLORS; }
static inline SCREEN *haws_newterm(const char *term) { return newterm(term, stdout, stdin); }
static inline int haws_wcwidth(wchar_t c) { return wcwidth(c); }

// ---------------------------------------------------------------------------------------------
// Terminal restore on a crash. A trap in Swift code (say, an index out of range while rendering)
// kills the process without running `endwin()`, leaving an SSH user's terminal in raw mode on the
// alternate screen. These handlers run only async-signal-safe calls: `tcsetattr` back to the modes
// saved before ncurses started, and `write` of the escape sequences that leave the alternate
// screen and show the cursor. Then the previous disposition (SIG_DFL, or Swift's backtracer) is
// put back: a fault re-executes the instruction and reaches it; a signal sent by kill() is raised
// again (it is delivered once this handler returns).
// The state lives in function-local statics; only the HawsTUI module calls these functions.

static inline struct termios *haws_saved_termios(void) { static struct termios saved; return &saved; }
static inline int *haws_saved_termios_valid(void) { static int valid = 0; return &valid; }
static inline struct sigaction *haws_previous_actions(void) { static struct sigaction previous[65]; return previous; }
static inline const int *haws_fatal_signals(int *count) {
    static const int signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };
    *count = (int)(sizeof(signals) / sizeof(signals[0]));
    return signals;
}

/// Restores the saved terminal modes and leaves the alternate screen: async-signal-safe.
static inline void haws_restore_terminal_now(void) {
    if (*haws_saved_termios_valid()) { tcsetattr(STDIN_FILENO, TCSANOW, haws_saved_termios()); }
    static const char reset[] = "\033[0m\033[?25h\033[?1049l\r\n";
    ssize_t written = write(STDOUT_FILENO, reset, sizeof(reset) - 1);
    (void)written;
}

static inline void haws_fatal_signal(int signal_number, siginfo_t *info, void *context) {
    (void)context;
    haws_restore_terminal_now();
    static const char message[] = "haws top: crashed; the terminal was restored\r\n";
    ssize_t written = write(STDERR_FILENO, message, sizeof(message) - 1);
    (void)written;
    if (signal_number > 0 && signal_number < 65) { sigaction(signal_number, &haws_previous_actions()[signal_number], NULL); }
    if (info == NULL || info->si_code <= 0) { raise(signal_number); }
}

/// Saves the terminal modes of stdin (call before ncurses changes them) and installs the handlers.
static inline void haws_install_crash_restore(void) {
    if (tcgetattr(STDIN_FILENO, haws_saved_termios()) == 0) { *haws_saved_termios_valid() = 1; }
    int count = 0;
    const int *signals = haws_fatal_signals(&count);
    for (int i = 0; i < count; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_sigaction = haws_fatal_signal;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        sigaction(signals[i], &action, &haws_previous_actions()[signals[i]]);
    }
}

/// Puts the previous handlers back (after `endwin()` on a normal exit).
static inline void haws_uninstall_crash_restore(void) {
    int count = 0;
    const int *signals = haws_fatal_signals(&count);
    for (int i = 0; i < count; i++) { sigaction(signals[i], &haws_previous_actions()[signals[i]], NULL); }
    *haws_saved_termios_valid() = 0;
}

/// Unblocks the signals the dashboard relies on: a parent (a test harness, a service manager) may
/// have passed them blocked, and then resizes and Ctrl-C would never arrive.
static inline void haws_unblock_terminal_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGWINCH);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/// True when stdin reports readable with nothing to read: end of file, the terminal is gone.
/// (`ioctl` is variadic, which Swift cannot call.)
static inline int haws_stdin_at_eof(void) {
    struct pollfd fd = { .fd = STDIN_FILENO, .events = POLLIN, .revents = 0 };
    if (poll(&fd, 1, 0) != 1) { return 0; }
    if (fd.revents & (POLLHUP | POLLERR | POLLNVAL)) { return 1; }
    int pending = 0;
    if (ioctl(STDIN_FILENO, FIONREAD, &pending) != 0) { return 0; }
    return (fd.revents & POLLIN) && pending == 0;
}

#endif
