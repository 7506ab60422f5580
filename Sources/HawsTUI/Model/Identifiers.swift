import HawsCore

/// A server of one instance: what marks, drains and actions are keyed by.
public struct ServerID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var instance: String
    public var key: ServerKey

    public init(instance: String, key: ServerKey) {
        self.instance = instance
        self.key = key
    }

    public init(instance: String, backend: String, server: String) {
        self.init(instance: instance, key: ServerKey(backend: backend, server: server))
    }

    public var description: String { "\(instance): \(key)" }

    public static func < (a: ServerID, b: ServerID) -> Bool { (a.instance, a.key) < (b.instance, b.key) }
}

/// A backend of one instance: what collapsing is keyed by.
public struct BackendID: Sendable, Hashable {
    public var instance: String
    public var name: String

    public init(instance: String, name: String) {
        self.instance = instance
        self.name = name
    }
}

/// The identity of a table row, stable across snapshots and re-sorting: the selection follows it.
public enum RowID: Sendable, Hashable {
    case backend(BackendID)
    case server(ServerID)
    case frontend(instance: String, name: String)

    public var server: ServerID? {
        if case .server(let id) = self { return id }
        return nil
    }
}

/// One row of the main table: where its data is in the current ``MonitorState`` (indices are only
/// valid for the state the rows were built from).
public struct TableRow: Sendable, Hashable {
    public var id: RowID
    public var instance: Int
    /// Index of the backend (or frontend) in the instance's snapshot.
    public var group: Int
    /// Index of the server in its backend; `nil` for a backend or frontend row.
    public var server: Int?
    /// The last server of its backend (drawn with the closing tree branch).
    public var isLastChild: Bool
    /// A backend row whose servers are hidden.
    public var isCollapsed: Bool

    public init(
        id: RowID, instance: Int, group: Int, server: Int? = nil, isLastChild: Bool = false, isCollapsed: Bool = false
    ) {
        self.id = id
        self.instance = instance
        self.group = group
        self.server = server
        self.isLastChild = isLastChild
        self.isCollapsed = isCollapsed
    }
}
