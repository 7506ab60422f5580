/// Why a lab operation failed, worded so that whoever reads a failed test can act on it.
///
/// An "open enum" struct (as in swift-nio): new codes can be added without breaking callers that switch on
/// `code` with a default, and `detail` carries the facts (HAProxy's log tail, the failing path, the status).
public struct LabError: Error, Hashable, CustomStringConvertible, Sendable {
    /// The kind of failure; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidName
            case invalidConfig
            case executableNotFound
            case addressInUse
            case startFailed
            case notRunning
            case notMasterWorker
            case reloadFailed
            case timeout
            case socketFailed
            case upgradeFailed
            case httpFailed
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A backend, server or socket name that HAProxy would reject or that could inject config text.
        public static let invalidName = Code(.invalidName)
        /// `haproxy -c` refused the rendered configuration.
        public static let invalidConfig = Code(.invalidConfig)
        /// No HAProxy binary was found.
        public static let executableNotFound = Code(.executableNotFound)
        /// HAProxy could not bind a port that was free a moment before; retry with fresh ports.
        public static let addressInUse = Code(.addressInUse)
        /// HAProxy exited or never became ready.
        public static let startFailed = Code(.startFailed)
        /// The operation needs a running process or server.
        public static let notRunning = Code(.notRunning)
        /// The operation needs master-worker mode.
        public static let notMasterWorker = Code(.notMasterWorker)
        /// A reload did not produce a new serving worker in time.
        public static let reloadFailed = Code(.reloadFailed)
        /// A bounded wait ran out.
        public static let timeout = Code(.timeout)
        /// A socket could not be created, bound or used.
        public static let socketFailed = Code(.socketFailed)
        /// One or more WebSocket upgrades failed.
        public static let upgradeFailed = Code(.upgradeFailed)
        /// A plain HTTP request failed.
        public static let httpFailed = Code(.httpFailed)

        public var description: String { self.base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What happened, for a human.
    public let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "LabError.\(self.code): \(self.detail)" }
}
