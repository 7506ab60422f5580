extension String {
    /// Shows `\n` and `\r` as escapes so a message stays on one line.
    public func replacingLineBreaks() -> String {
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
