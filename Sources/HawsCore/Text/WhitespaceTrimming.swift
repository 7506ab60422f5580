extension StringProtocol {
    /// The text without leading and trailing white space (spaces, tabs and line breaks).
    ///
    /// `trimmingCharacters(in:)` is in Foundation proper, which haws does not load (see `String(printf:)`).
    public func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
