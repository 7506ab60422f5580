#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
import HawsCore

/// A view file that cannot be used: one line naming the file, the key and what is wrong.
public struct ViewFileError: Error, Sendable, Hashable, CustomStringConvertible {
    struct Problem: Error, Hashable {
        var key: String?
        var message: String
    }

    public let file: String
    /// The offending key as a path (`columns[2].width`), or `nil` when the whole file is wrong.
    public let key: String?
    public let message: String

    public init(file: String, key: String?, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    public var description: String {
        "view file \(file): \(key.map { "\($0): " } ?? "")\(message)"
    }
}

/// Reads view files: the shipped ones (compiled in, identical to `Dashboards/views/*.json`) and a
/// user's own from a directory. A bad file is reported and skipped; the others still load.
///
/// Format (every key but `name` and `columns` optional):
/// ```json
/// {
///   "name": "servers", "kind": "servers", "order": 1,
///   "columns": [ { "id": "name", "title": "NAME", "width": 22, "align": "left" }, { "id": "tunnels" } ],
///   "sort": { "column": "tunnels", "direction": "desc" }
/// }
/// ```
public enum ViewLoader {
    /// The result of loading: usable views in tab order, and one line per file that was skipped.
    public struct Result: Sendable {
        public var views: [ViewDefinition]
        public var errors: [ViewFileError]
    }

    /// Parses one view file's contents; `file` names it in errors.
    public static func parse(_ data: Data, file: String) throws(ViewFileError) -> ViewDefinition {
        do {
            return try decode(JSONValue.parse(data), source: file)
        } catch {
            throw ViewFileError(file: file, key: error.key, message: error.message)
        }
    }

    /// The shipped views (those that parse: ``load(directories:)`` reports any that does not).
    public static func builtin() -> [ViewDefinition] {
        parseShipped(BuiltinViews.files).views
    }

    /// Parses shipped view files, keeping each error: a shipped view that fails to parse is a bug to report on
    /// the screen and on stderr, never a tab that silently disappears.
    static func parseShipped(_ files: [(name: String, json: String)]) -> Result {
        var views: [ViewDefinition] = []
        var errors: [ViewFileError] = []
        for (name, json) in files {
            do { views.append(try parse(Data(json.utf8), file: "builtin:\(name)")) } catch { errors.append(error) }
        }
        return Result(views: views.sorted(by: tabOrder), errors: errors)
    }

    /// The shipped views, then every `*.json` of `directories` (missing directories are skipped): a
    /// user view with the name of a shipped one replaces it.
    public static func load(directories: [String]) -> Result {
        var byName: [String: ViewDefinition] = [:]
        let shipped = parseShipped(BuiltinViews.files)
        for view in shipped.views { byName[view.name] = view }
        var errors: [ViewFileError] = shipped.errors
        let manager = FileManager.default
        for directory in directories {
            var isDirectory = false
            guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory else {
                continue
            }
            let names: [String]
            do {
                names = try manager.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
            } catch {
                errors.append(
                    ViewFileError(
                        file: directory, key: nil, message: "cannot list the directory: \(fileErrorReason(error))"))
                continue
            }
            for name in names {
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                guard let data = manager.contents(atPath: path) else {
                    errors.append(ViewFileError(file: path, key: nil, message: "cannot be read"))
                    continue
                }
                do {
                    let view = try parse(data, file: path)
                    byName[view.name] = view
                } catch {
                    errors.append(error)
                }
            }
        }
        return Result(views: byName.values.sorted(by: tabOrder), errors: errors)
    }

    static func tabOrder(_ a: ViewDefinition, _ b: ViewDefinition) -> Bool {
        (a.order, a.name) < (b.order, b.name)
    }

    // MARK: - Checking

    private static let topKeys: Set<String> = ["name", "kind", "order", "columns", "sort", "description"]
    private static let columnKeys: Set<String> = ["id", "title", "width", "align"]
    private static let sortKeys: Set<String> = ["column", "direction"]

    private static func decode(_ value: JSONValue, source: String) throws(ViewFileError.Problem) -> ViewDefinition {
        guard case .object(let object) = value else {
            throw .init(key: nil, message: "expected a JSON object at the top, found \(value.typeName)")
        }
        try rejectUnknownKeys(object, allowed: topKeys, path: "")
        let name = try string(object, "name", path: "name", required: true)!
        guard !name.isEmpty, name.count <= ViewDefinition.nameLimit,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw .init(key: "name", message: "must be 1 to \(ViewDefinition.nameLimit) letters, digits, '-' or '_'")
        }
        var kind = ViewKind.servers
        if let text = try string(object, "kind", path: "kind", required: false) {
            guard let parsed = ViewKind(rawValue: text) else {
                throw .init(
                    key: "kind",
                    message:
                        "unknown kind \"\(text)\" (use \(ViewKind.allCases.map(\.rawValue).joined(separator: " or ")))")
            }
            kind = parsed
        }
        let order = try integer(object, "order", path: "order", range: 0...999) ?? 100
        guard case .array(let items)? = object["columns"] else {
            throw .init(
                key: "columns",
                message: object["columns"] == nil
                    ? "missing: a view needs a list of columns"
                    : "expected a list of columns, found \(object["columns"]!.typeName)")
        }
        guard !items.isEmpty else { throw .init(key: "columns", message: "is empty: a view needs at least one column") }
        var columns: [ColumnSpec] = []
        for (index, item) in items.enumerated() {
            let path = "columns[\(index)]"
            guard case .object(let column) = item else {
                throw .init(key: path, message: "expected an object like {\"id\": \"tunnels\"}, found \(item.typeName)")
            }
            try rejectUnknownKeys(column, allowed: columnKeys, path: path)
            let idText = try string(column, "id", path: "\(path).id", required: true)!
            guard let id = ColumnID(rawValue: idText) else {
                throw .init(key: "\(path).id", message: "unknown column \"\(idText)\" (known: \(known(for: kind)))")
            }
            guard id.kinds.contains(kind) else {
                throw .init(
                    key: "\(path).id",
                    message:
                        "column \"\(idText)\" does not apply to a \(kind.rawValue) view (known: \(known(for: kind)))")
            }
            guard !columns.contains(where: { $0.id == id }) else {
                throw .init(key: "\(path).id", message: "column \"\(idText)\" appears twice")
            }
            let title = try string(column, "title", path: "\(path).title", required: false)
            if let title, title.count > 40 {
                throw .init(key: "\(path).title", message: "is longer than 40 characters")
            }
            let width = try integer(column, "width", path: "\(path).width", range: ViewDefinition.widthRange)
            var alignment: Alignment?
            if let text = try string(column, "align", path: "\(path).align", required: false) {
                guard let parsed = Alignment(rawValue: text) else {
                    throw .init(
                        key: "\(path).align", message: "unknown alignment \"\(text)\" (use left, right or center)")
                }
                alignment = parsed
            }
            columns.append(ColumnSpec(id, title: title, width: width, alignment: alignment))
        }
        var sort = SortSpec.configuration
        if let value = object["sort"] {
            guard case .object(let sortObject) = value else {
                throw .init(
                    key: "sort",
                    message:
                        "expected an object like {\"column\": \"tunnels\", \"direction\": \"desc\"}, found \(value.typeName)"
                )
            }
            try rejectUnknownKeys(sortObject, allowed: sortKeys, path: "sort")
            if let text = try string(sortObject, "column", path: "sort.column", required: false), text != "config" {
                guard let id = ColumnID(rawValue: text), id.kinds.contains(kind), id.isSortable else {
                    throw .init(
                        key: "sort.column",
                        message: "cannot sort on \"\(text)\" (use a sortable column of this view or \"config\")")
                }
                sort.column = id
                sort.descending = id.prefersDescending
            }
            if let text = try string(sortObject, "direction", path: "sort.direction", required: false) {
                switch text {
                case "asc", "ascending": sort.descending = false
                case "desc", "descending": sort.descending = true
                default: throw .init(key: "sort.direction", message: "unknown direction \"\(text)\" (use asc or desc)")
                }
            }
        }
        return ViewDefinition(name: name, kind: kind, order: order, columns: columns, sort: sort, source: source)
    }

    private static func known(for kind: ViewKind) -> String {
        ColumnID.allCases.filter { $0.kinds.contains(kind) }.map(\.rawValue).joined(separator: ", ")
    }

    private static func rejectUnknownKeys(_ object: [String: JSONValue], allowed: Set<String>, path: String)
        throws(ViewFileError.Problem)
    {
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            let prefix = path.isEmpty ? "" : "\(path)."
            throw .init(
                key: "\(prefix)\(unknown)",
                message: "unknown key (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    private static func string(_ object: [String: JSONValue], _ key: String, path: String, required: Bool)
        throws(ViewFileError.Problem) -> String?
    {
        switch object[key] {
        case nil:
            if required { throw .init(key: path, message: "missing") }
            return nil
        case .string(let text)?:
            return text
        case let other?:
            throw .init(key: path, message: "expected a string, found \(other.typeName)")
        }
    }

    private static func integer(_ object: [String: JSONValue], _ key: String, path: String, range: ClosedRange<Int>)
        throws(ViewFileError.Problem) -> Int?
    {
        switch object[key] {
        case nil:
            return nil
        case .number(let value)?:
            guard value.rounded() == value, value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
                throw .init(
                    key: path,
                    message: "must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(value)")
            }
            return Int(value)
        case let other?:
            throw .init(key: path, message: "expected a number, found \(other.typeName)")
        }
    }
}
