/// A config file that cannot be used, naming the file, where in it (section, instance, key) and what to do.
public struct ConfigFileError: Error, Hashable, CustomStringConvertible {
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: String, Hashable, Sendable {
            case unreadable, syntax, unknownKey, wrongType, invalidValue, refusedSecret, missingKey, duplicateName
        }
        private let code: Code
        private init(_ code: Code) { self.code = code }

        /// The file cannot be read.
        public static let unreadable = Kind(.unreadable)
        /// Not valid TOML.
        public static let syntax = Kind(.syntax)
        /// A key or section haws does not know (often a typo).
        public static let unknownKey = Kind(.unknownKey)
        /// A string where a boolean is expected, ...
        public static let wrongType = Kind(.wrongType)
        /// Right type, unusable value (a bad duration, socket address or URL).
        public static let invalidValue = Kind(.invalidValue)
        /// A password written inline, refused so that config files can be shared and versioned.
        public static let refusedSecret = Kind(.refusedSecret)
        public static let missingKey = Kind(.missingKey)
        /// Two instances with the same name.
        public static let duplicateName = Kind(.duplicateName)

        public var description: String { code.rawValue }
    }

    public let kind: Kind
    public let file: String
    /// Where in the file: `instance 2 ('edge-2'), key stats_url`, `[timeouts] request`, `line 3, column 5`.
    public let location: String
    public let problem: String

    public init(_ kind: Kind, file: String, at location: String, _ problem: String) {
        self.kind = kind
        self.file = file
        self.location = location
        self.problem = problem
    }

    public var description: String {
        location.isEmpty ? "\(file): \(problem)" : "\(file): \(location): \(problem)"
    }
}
