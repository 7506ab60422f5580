/// The characters the screen is drawn with: UTF-8 box drawing and blocks, or an ASCII fallback for
/// terminals and locales without UTF-8 (chosen from `nl_langinfo(CODESET)` or `--ascii`).
public struct Glyphs: Sendable, Hashable {
    public var horizontal: Character
    public var vertical: Character
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character
    /// Tree branches of server rows.
    public var branch: String
    public var lastBranch: String
    public var expanded: String
    public var collapsed: String
    public var marked: String
    public var ellipsis: String
    public var up: String
    public var down: String
    /// Instance reachability bullets.
    public var good: String
    public var bad: String
    /// Sparkline levels, lowest first.
    public var sparks: [Character]
    public var isUnicode: Bool

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        branch: "├ ", lastBranch: "└ ", expanded: "▾ ", collapsed: "▸ ", marked: "●", ellipsis: "…", up: "↑", down: "↓",
        good: "●", bad: "✖", sparks: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], isUnicode: true)

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        branch: "|- ", lastBranch: "`- ", expanded: "- ", collapsed: "+ ", marked: "*", ellipsis: "~", up: "^",
        down: "v",
        good: "o", bad: "x", sparks: ["_", ".", ",", "-", "=", "+", "*", "#"], isUnicode: false)

    /// A sparkline of `values` (oldest first) in `width` cells, scaled to the window's maximum; the
    /// newest value is at the right. Blank where there is no history yet.
    public func sparkline(_ values: [Float], width: Int) -> String {
        guard width > 0 else { return "" }
        let window = values.suffix(width)
        let top = max(window.max() ?? 0, 1)
        var text = String(repeating: " ", count: width - window.count)
        for value in window {
            let level = Int((max(0, value) / top) * Float(sparks.count - 1) + 0.5)
            text.append(value <= 0 ? " " : sparks[min(sparks.count - 1, max(0, level))])
        }
        return text
    }
}
