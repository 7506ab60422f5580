/// What a view lists.
public enum ViewKind: String, Sendable, Hashable, CaseIterable {
    /// Backends with their servers under them.
    case servers
    /// Frontends.
    case frontends
}

/// One column of a view: which value, under which title, in how many cells, aligned how.
public struct ColumnSpec: Sendable, Hashable {
    public var id: ColumnID
    public var title: String
    public var width: Int
    public var alignment: Alignment

    public init(_ id: ColumnID, title: String? = nil, width: Int? = nil, alignment: Alignment? = nil) {
        self.id = id
        self.title = title ?? id.defaults.title
        self.width = width ?? id.defaults.width
        self.alignment = alignment ?? id.defaults.alignment
    }
}

/// The order of rows: a column and a direction.
public struct SortSpec: Sendable, Hashable {
    /// `nil`: HAProxy's own order (the configuration's).
    public var column: ColumnID?
    public var descending: Bool

    public init(column: ColumnID?, descending: Bool = false) {
        self.column = column
        self.descending = descending
    }

    public static let configuration = SortSpec(column: nil)
}

/// A view of the dashboard, as declared by a file in `Dashboards/views/` or the user's views directory.
public struct ViewDefinition: Sendable, Hashable {
    /// Short name shown on the tab and used to replace a shipped view with a user's own.
    public var name: String
    public var kind: ViewKind
    /// Position among the views (tab order and the `1`-`9` keys); ties break by name.
    public var order: Int
    public var columns: [ColumnSpec]
    public var sort: SortSpec
    /// Where it was loaded from (a path, or `builtin:servers.json`).
    public var source: String

    public init(name: String, kind: ViewKind, order: Int, columns: [ColumnSpec], sort: SortSpec, source: String) {
        self.name = name
        self.kind = kind
        self.order = order
        self.columns = columns
        self.sort = sort
        self.source = source
    }

    /// Limits a view file is checked against.
    public static let widthRange = 1...200
    public static let nameLimit = 24
}
