/// An application-level check for `.full` probes: a text message and a regular expression its reply must match.
///
/// A backend can complete the handshake and answer pings from its WebSocket library while the application behind
/// it is broken; an echo or a `{"type":"ping"}` round trip shows the application answers.
public struct ProbeMessage: Sendable, Hashable {
    /// The text frame to send.
    public let text: String
    /// A regular expression (Swift `Regex` syntax) searched in the reply; anchor it with `^...$` for an exact match.
    public let expectedReply: String

    /// - Throws: ``ProbeMessageError`` when `expectedReply` is not a valid regular expression, so a bad pattern in
    ///   the configuration is reported at load time rather than as a failing backend.
    public init(text: String, expectedReply: String) throws(ProbeMessageError) {
        do {
            _ = try Regex(expectedReply)
        } catch {
            throw ProbeMessageError(pattern: expectedReply, reason: "\(error)")
        }
        self.text = text
        self.expectedReply = expectedReply
    }

    /// Whether `reply` matches the expected pattern.
    func matches(_ reply: String) -> Bool {
        guard let regex = try? Regex(self.expectedReply) else {
            return false
        }
        return reply.contains(regex)
    }
}

/// The expected-reply pattern of a ``ProbeMessage`` does not compile.
public struct ProbeMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    public let reason: String

    public var description: String {
        "expected reply /\(self.pattern)/ is not a valid regular expression: \(self.reason)"
    }
}
