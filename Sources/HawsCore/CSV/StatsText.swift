/// The text of one stats CSV, shared by every row parsed from it.
///
/// Rows keep a byte range into this text instead of a `String` per cell: at 10,000 servers a `show stat`
/// is about 100 cells per row, and a million small strings per poll were the engine's main cost in time and
/// memory. The typed model reads its columns once while parsing; any other cell is split out on demand
/// (the dashboard's detail pane, `--json` detail).
public final class StatsText: Sendable {
    private enum Storage: Sendable {
        case text(String)
        /// A runtime API answer as it arrived (``StatsCSVParser/parse(bytes:)``): never copied into a string.
        case bytes([UInt8])
    }

    private let storage: Storage
    private let whenReleased: (@Sendable ([UInt8]) -> Void)?

    public init(_ text: String) {
        self.storage = .text(text)
        self.whenReleased = nil
    }

    /// - Parameter whenReleased: called with `bytes` once no row uses them any more, so their buffer can
    ///   receive the next answer (the reader's ``AnswerBufferPool`` in HawsClient).
    public init(bytes: [UInt8], whenReleased: (@Sendable ([UInt8]) -> Void)? = nil) {
        self.storage = .bytes(bytes)
        self.whenReleased = whenReleased
    }

    deinit {
        if let whenReleased, case .bytes(let bytes) = storage { whenReleased(bytes) }
    }

    /// Calls `body` with the UTF-8 bytes of the text (no copy for a native string or for bytes).
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        switch storage {
        case .text(var text):
            return try text.withUTF8(body)
        case .bytes(let bytes):
            return try bytes.withUnsafeBufferPointer(body)
        }
    }
}
