/// A key press, decoded by the terminal backend.
public enum Key: Sendable, Hashable {
    case character(Character)
    /// Ctrl + a letter, as its lowercase letter (`control("c")` is Ctrl-C when it is not a signal).
    case control(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)
    /// The terminal changed size (ncurses' `KEY_RESIZE`).
    case resize
}
