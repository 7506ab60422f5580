extension ProbeSettings {
    /// Splits a `--probe-frontend` or `[probes] frontend` value into the HAProxy frontend it names (if any) and the
    /// URL: `ws://127.0.0.1:80/chat`, or `ws_front=ws://127.0.0.1:80/chat`.
    ///
    /// HAProxy's stats say nothing of which frontend listens where, so only the operator can tie a URL to a frontend;
    /// the name is what lets `haws top` show the probe's verdict on that frontend's row. A value starting with a
    /// scheme has no name, so a URL never loses text to the split.
    public static func splitFrontend(_ text: String) -> (frontend: String?, url: String) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("ws://") || lowered.hasPrefix("wss://") {
            return (nil, text)
        }
        guard let equals = text.firstIndex(of: "=") else {
            return (nil, text)
        }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    /// Adds a frontend probe written as ``splitFrontend(_:)`` reads it, checking the name as HAProxy spells names.
    ///
    /// The same URL given twice is probed once (a second name for it replaces the first).
    public mutating func addFrontend(_ text: String) throws(ProbeTargetError) {
        let (name, url) = Self.splitFrontend(text)
        if let name {
            let allowed = name.allSatisfy { character in
                character.isASCII && (character.isLetter || character.isNumber || "._:-".contains(character))
            }
            guard !name.isEmpty, allowed else {
                throw ProbeTargetError(
                    "'\(name)' before '=' is not an HAProxy frontend name (letters, digits, . _ : -); "
                        + "write NAME=ws://...")
            }
        }
        let target = try ProbeTarget(url: url)
        if !self.frontends.contains(where: { $0.url == target.url }) {
            self.frontends.append(target)
        }
        if let name {
            self.frontendNames[target.url] = name
        }
    }
}
