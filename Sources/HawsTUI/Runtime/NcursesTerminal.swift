import CNcurses
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Why the dashboard could not take over the terminal.
public struct TerminalError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// How the terminal should be used.
public struct TerminalOptions: Sendable, Hashable {
    /// `--no-color` or `NO_COLOR`: attributes only.
    public var color: Bool
    /// `--ascii`: no box drawing or block characters even in a UTF-8 locale.
    public var asciiOnly: Bool

    public init(color: Bool = true, asciiOnly: Bool = false) {
        self.color = color
        self.asciiOnly = asciiOnly
    }
}

/// The one ncurses backend: starts and stops the screen, reads keys without blocking, and blits a
/// ``ScreenBuffer``. Main-actor isolated: ncurses is not thread-safe, so only the UI loop touches it.
@MainActor
final class NcursesTerminal {
    enum ColorDepth: Sendable { case none, basic, extended }

    private let options: TerminalOptions
    private var screen: OpaquePointer?
    private(set) var depth = ColorDepth.none
    private(set) var isUnicode = false
    private var styles: [StyleRole: (attributes: attr_t, pair: Int16)] = [:]

    init(options: TerminalOptions) {
        self.options = options
    }

    /// Sets the locale from the environment (falling back to C.UTF-8 when it is invalid) and says
    /// whether the terminal's character set is UTF-8.
    static func prepareLocale() -> Bool {
        if setlocale(LC_ALL, "") == nil { _ = setlocale(LC_ALL, "C.UTF-8") }
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    func start() throws(TerminalError) {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError(
                "haws top needs a terminal on stdin and stdout; for scripts use `haws status` (or --json)")
        }
        isUnicode = Self.prepareLocale() && !options.asciiOnly
        haws_unblock_terminal_signals()
        haws_install_crash_restore()
        guard let screen = haws_newterm(nil) else {
            haws_uninstall_crash_restore()
            let term = ProcessInfo.processInfo.environment["TERM"]
            throw TerminalError(
                "cannot drive this terminal: TERM is \(term.map { "'\($0)', which terminfo does not know" } ?? "not set"); "
                    + "set TERM (e.g. TERM=xterm-256color) or use `haws status`")
        }
        self.screen = screen
        _ = set_term(screen)
        _ = cbreak()
        _ = noecho()
        _ = keypad(haws_stdscr(), true)
        _ = curs_set(0)
        wtimeout(haws_stdscr(), 0)
        _ = set_escdelay(25)
        setUpColors()
    }

    func stop() {
        guard let screen else { return }
        // endwin() leaves the cursor as curs_set(0) made it: show it again first.
        _ = curs_set(1)
        _ = endwin()
        delscreen(screen)
        self.screen = nil
        haws_uninstall_crash_restore()
        fflush(nil)
    }

    var size: TerminalSize {
        TerminalSize(columns: Int(haws_getmaxx(haws_stdscr())), rows: Int(haws_getmaxy(haws_stdscr())))
    }

    /// Every key waiting, without blocking; `resized` when ncurses reported `KEY_RESIZE`.
    func readKeys() -> (keys: [Key], resized: Bool) {
        guard screen != nil else { return ([], false) }
        var keys: [Key] = []
        var resized = false
        var code: wint_t = 0
        while keys.count < 512 {
            let result = wget_wch(haws_stdscr(), &code)
            if result == ERR { break }
            if result == KEY_CODE_YES {
                if Int32(code) == KEY_RESIZE {
                    resized = true
                } else if let key = Self.functionKey(Int32(code)) {
                    keys.append(key)
                }
            } else if let key = Self.characterKey(UInt32(code)) {
                keys.append(key)
            }
        }
        return (keys, resized)
    }

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: .up
        case KEY_DOWN: .down
        case KEY_LEFT: .left
        case KEY_RIGHT: .right
        case KEY_PPAGE: .pageUp
        case KEY_NPAGE: .pageDown
        case KEY_HOME: .home
        case KEY_END: .end
        case KEY_ENTER: .enter
        case KEY_BACKSPACE: .backspace
        case KEY_DC: .delete
        case KEY_BTAB: .backTab
        case KEY_F0 + 1...KEY_F0 + 12: .function(Int(code - KEY_F0))
        default: nil
        }
    }

    static func characterKey(_ value: UInt32) -> Key? {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(UnicodeScalar(UInt8(value) + 96)))
        default:
            guard let scalar = UnicodeScalar(value), value >= 32 else { return nil }
            return .character(Character(scalar))
        }
    }

    /// Stdin reports readable but holds nothing: end of file.
    var inputAtEndOfFile: Bool { haws_stdin_at_eof() != 0 }

    /// Repaints everything at the next draw (Ctrl-L, or garbage left by another program).
    func invalidate() {
        guard screen != nil else { return }
        _ = clearok(haws_curscr(), true)
    }

    /// Blits `buffer`; ncurses sends only what changed since the last frame.
    func draw(_ buffer: ScreenBuffer) {
        guard screen != nil else { return }
        let window = haws_stdscr()
        _ = werase(window)
        let size = buffer.size
        var run: [wchar_t] = []
        run.reserveCapacity(size.columns + 1)
        for y in 0..<size.rows {
            var x = 0
            while x < size.columns {
                let style = buffer[x, y].style
                let start = x
                run.removeAll(keepingCapacity: true)
                var asciiOnly = true
                while x < size.columns, buffer[x, y].style == style {
                    let cell = buffer[x, y]
                    if !cell.isContinuation {
                        for scalar in cell.character.unicodeScalars {
                            run.append(wchar_t(bitPattern: scalar.value))
                            if scalar.value >= 0x80 { asciiOnly = false }
                        }
                    }
                    x += 1
                }
                let (attributes, pair) = resolve(style)
                _ = wattr_set(window, attributes, pair, nil)
                if asciiOnly {
                    _ = wmove(window, Int32(y), Int32(start))
                    _ = waddnwstr(window, run, Int32(run.count))
                } else {
                    // Position every character: a disagreement about widths cannot shift the row.
                    var column = start
                    for cellX in start..<x {
                        let cell = buffer[cellX, y]
                        guard !cell.isContinuation else { continue }
                        column = cellX
                        let scalars = cell.character.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
                        _ = wmove(window, Int32(y), Int32(column))
                        _ = waddnwstr(window, scalars, Int32(scalars.count))
                    }
                }
            }
        }
        _ = wattr_set(window, haws_a_normal(), 0, nil)
        _ = wnoutrefresh(window)
        _ = doupdate()
    }

    // MARK: - Colours

    private func setUpColors() {
        let environment = ProcessInfo.processInfo.environment
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        if options.color, !noColor, has_colors() {
            _ = start_color()
            _ = use_default_colors()
            depth = haws_colors() >= 256 ? .extended : .basic
        } else {
            depth = .none
        }
        for role in StyleRole.allCases {
            var attributes = haws_a_normal()
            var pair: Int16 = 0
            if let color = Self.foreground(role, depth) {
                pair = Int16(role.rawValue) + 1
                _ = init_pair(pair, color, -1)
            }
            switch (role, depth) {
            case (.dim, _), (.border, .none): attributes |= haws_a_dim()
            case (.header, .none), (.accent, .none): attributes |= haws_a_bold()
            case (.maint, .none): attributes |= haws_a_dim()
            case (.critical, .none), (.drain, .none): attributes |= haws_a_underline()
            default: break
            }
            styles[role] = (attributes, pair)
        }
    }

    /// The terminal colour of a role: 256-colour shades, the 8 basic colours, or none.
    private static func foreground(_ role: StyleRole, _ depth: ColorDepth) -> Int16? {
        switch depth {
        case .none:
            return nil
        case .basic:
            switch role {
            case .ok: return Int16(COLOR_GREEN)
            case .warning: return Int16(COLOR_YELLOW)
            case .critical: return Int16(COLOR_RED)
            case .drain: return Int16(COLOR_CYAN)
            case .maint: return Int16(COLOR_MAGENTA)
            case .accent, .header: return Int16(COLOR_CYAN)
            case .border: return Int16(COLOR_BLUE)
            case .normal, .dim, .title: return nil
            }
        case .extended:
            switch role {
            case .ok: return 71
            case .warning: return 214
            case .critical: return 203
            case .drain: return 45
            case .maint: return 177
            case .accent: return 75
            case .header: return 153
            case .border: return 60
            case .dim: return 245
            case .normal, .title: return nil
            }
        }
    }

    private func resolve(_ style: CellStyle) -> (attr_t, Int16) {
        var (attributes, pair) = styles[style.role] ?? (haws_a_normal(), 0)
        if style.bold { attributes |= haws_a_bold() }
        if style.reverse { attributes |= haws_a_reverse() }
        if style.underline { attributes |= haws_a_underline() }
        return (attributes, pair)
    }
}
