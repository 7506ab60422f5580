#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore

/// A parsed JSON document, kept untyped so that a view file can be checked key by key and every
/// mistake named precisely (`columns[2].width`), including keys that are not known at all.
enum JSONValue: Sendable, Hashable, Decodable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// What the value is, for error messages ("expected a number, found a string").
    var typeName: String {
        switch self {
        case .object: "an object"
        case .array: "a list"
        case .string: "a string"
        case .number: "a number"
        case .bool: "true/false"
        case .null: "null"
        }
    }

    static func parse(_ data: Data) throws(ViewFileError.Problem) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            // FoundationEssentials' decoder says only "not valid JSON"; say where.
            let place = JSONSyntaxLocator.firstError(in: data).map { " (\($0))" } ?? ""
            throw ViewFileError.Problem(key: nil, message: "not valid JSON\(place): \(context.debugDescription)")
        } catch {
            throw ViewFileError.Problem(key: nil, message: "not valid JSON: \(error)")
        }
    }
}
