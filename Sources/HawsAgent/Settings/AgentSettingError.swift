/// A setting of the agent that cannot be used, with what to write instead.
public struct AgentSettingError: Error, Hashable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable {
        private enum Code: Hashable, Sendable {
            case invalidAddress, invalidSize, invalidCount, cannotListen
        }
        private let code: Code
        private init(_ code: Code) { self.code = code }

        /// `--prometheus` / `[outputs] prometheus` is not `[ADDRESS:]PORT`.
        public static let invalidAddress = Kind(.invalidAddress)
        /// `--rotate-size` / `[outputs] rotate_size` is not a size such as `100MB`.
        public static let invalidSize = Kind(.invalidSize)
        /// A count (`--rotate-keep`, `--max-server-series`, `--max-probe-series`) is negative.
        public static let invalidCount = Kind(.invalidCount)
        /// The metrics address cannot be bound (in use, not local, no permission).
        public static let cannotListen = Kind(.cannotListen)
    }

    public let kind: Kind
    public let problem: String

    public init(_ kind: Kind, _ problem: String) {
        self.kind = kind
        self.problem = problem
    }

    public var description: String { problem }
}
