/// HTTP header values allow optional spaces and tabs around them (RFC 9110 "OWS"); comparisons must ignore them.
extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = self.firstIndex(where: { !isSpace($0) }) else {
            return ""
        }
        let last = self.lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
