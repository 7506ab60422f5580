/// A value of the config file, copied out of the TOML parser into plain Sendable data.
///
/// TOMLKit's tables are non-Sendable classes around a C++ tree; converting once, right after parsing, lets
/// the readers of each section be pure functions that tests can feed without any TOML.
public enum ConfigValue: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    /// A TOML date, time or date-time, kept as written.
    case dateTime(String)
    case array([ConfigValue])
    case table([String: ConfigValue])

    /// "a string", "an integer", ... for messages such as "expected a string, found an integer".
    public var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .dateTime: "a date"
        case .array: "an array"
        case .table: "a table"
        }
    }
}
