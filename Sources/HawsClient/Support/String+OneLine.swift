extension StringProtocol {
    /// Trims whitespace and line ends (including `\r\n`, a single `Character` in Swift) without Foundation,
    /// for values that come from flags, files and TOML.
    func trimmingASCIIWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}

extension String {
    /// Shows `\n` and `\r` as escapes so a message stays on one line.
    func replacingLineBreaks() -> String {
        var result = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += " "
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
