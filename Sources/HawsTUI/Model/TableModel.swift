import HawsCore
import HawsMonitor

/// Builds the rows of the main table: filtered, sorted and collapsed, as identities and indices
/// into the monitor state. Run when the data, the view, the sort, the filter or a collapse changes;
/// never while drawing.
enum TableModel {
    static func rows(for state: TopState) -> [TableRow] {
        guard let monitor = state.shown else { return [] }
        let context = ValueContext(
            probes: state.probes, frontendProbes: state.frontendProbes, drains: state.drains, now: state.now,
            glyphs: state.settings.glyphs, wantsHistory: false)
        switch state.view.kind {
        case .servers:
            return serverRows(
                monitor, sort: state.sort, filter: state.filter, collapsed: state.collapsed, context: context)
        case .frontends:
            return frontendRows(monitor, sort: state.sort, filter: state.filter, context: context)
        }
    }

    /// Whether `a` and `b` list the same instances, frontends, backends and servers in the same order (and
    /// so the same rows when no column sorts them).
    static func sameObjects(_ a: MonitorState?, _ b: MonitorState) -> Bool {
        guard let a, a.instances.count == b.instances.count else { return false }
        for (old, new) in zip(a.instances, b.instances) {
            guard old.name == new.name else { return false }
            switch (old.snapshot, new.snapshot) {
            case (nil, nil): continue
            case (let x?, let y?):
                guard x.backends.count == y.backends.count, x.frontends.count == y.frontends.count else { return false }
                for (p, q) in zip(x.frontends, y.frontends) where p.name != q.name { return false }
                for (p, q) in zip(x.backends, y.backends) {
                    guard p.name == q.name, p.servers.count == q.servers.count else { return false }
                    for (s, t) in zip(p.servers, q.servers) where s.name != t.name { return false }
                }
            default: return false
            }
        }
        return true
    }

    private struct Keyed {
        var index: Int
        var key: SortKey
    }

    private static func serverRows(
        _ monitor: MonitorState, sort: SortSpec, filter: RowFilter?, collapsed: Set<BackendID>, context: ValueContext
    ) -> [TableRow] {
        var rows: [TableRow] = []
        for (instanceIndex, live) in monitor.instances.enumerated() {
            guard let snapshot = live.snapshot else { continue }
            var groups: [(backend: Keyed, servers: [Keyed])] = []
            for (backendIndex, backend) in snapshot.backends.enumerated() {
                var servers: [Keyed] = []
                servers.reserveCapacity(backend.servers.count)
                for (serverIndex, server) in backend.servers.enumerated() {
                    if let filter, !filter.keeps(backend.name + "/" + server.name) { continue }
                    var key = SortKey.missing
                    if let column = sort.column {
                        let data = RowData(
                            live: live, snapshot: snapshot, subject: .server(server, in: backend),
                            position: (backendIndex, serverIndex))
                        key = ColumnValues.value(column, data, context).sortKey
                    }
                    servers.append(Keyed(index: serverIndex, key: key))
                }
                if servers.isEmpty {
                    // A backend with servers that are all filtered out disappears; one without servers
                    // (a stats section) stays when its own name passes the filter.
                    guard backend.servers.isEmpty, filter?.keeps(backend.name) ?? true else { continue }
                }
                var key = SortKey.missing
                if let column = sort.column {
                    let data = RowData(live: live, snapshot: snapshot, subject: .backend(backend))
                    key = ColumnValues.value(column, data, context).sortKey
                }
                groups.append((Keyed(index: backendIndex, key: key), ordered(servers, sort)))
            }
            let sortedGroups = sort.column == nil ? groups : groups.sorted { before($0.backend, $1.backend, sort) }
            for group in sortedGroups {
                let backend = snapshot.backends[group.backend.index]
                let id = BackendID(instance: live.name, name: backend.name)
                let isCollapsed = collapsed.contains(id)
                rows.append(
                    TableRow(
                        id: .backend(id), instance: instanceIndex, group: group.backend.index, isCollapsed: isCollapsed)
                )
                guard !isCollapsed else { continue }
                for (position, server) in group.servers.enumerated() {
                    let key = backend.servers[server.index].key
                    rows.append(
                        TableRow(
                            id: .server(ServerID(instance: live.name, key: key)), instance: instanceIndex,
                            group: group.backend.index, server: server.index,
                            isLastChild: position == group.servers.count - 1))
                }
            }
        }
        return rows
    }

    private static func frontendRows(_ monitor: MonitorState, sort: SortSpec, filter: RowFilter?, context: ValueContext)
        -> [TableRow]
    {
        var rows: [TableRow] = []
        for (instanceIndex, live) in monitor.instances.enumerated() {
            guard let snapshot = live.snapshot else { continue }
            var keyed: [Keyed] = []
            for (index, frontend) in snapshot.frontends.enumerated() {
                if let filter, !filter.keeps(frontend.name) { continue }
                var key = SortKey.missing
                if let column = sort.column {
                    key =
                        ColumnValues.value(
                            column, RowData(live: live, snapshot: snapshot, subject: .frontend(frontend)), context
                        ).sortKey
                }
                keyed.append(Keyed(index: index, key: key))
            }
            for item in ordered(keyed, sort) {
                rows.append(
                    TableRow(
                        id: .frontend(instance: live.name, name: snapshot.frontends[item.index].name),
                        instance: instanceIndex, group: item.index))
            }
        }
        return rows
    }

    private static func ordered(_ items: [Keyed], _ sort: SortSpec) -> [Keyed] {
        sort.column == nil ? items : items.sorted { before($0, $1, sort) }
    }

    /// Missing values always last; equal keys keep HAProxy's order.
    private static func before(_ a: Keyed, _ b: Keyed, _ sort: SortSpec) -> Bool {
        switch (a.key, b.key) {
        case (.missing, .missing): return a.index < b.index
        case (.missing, _): return false
        case (_, .missing): return true
        default:
            if a.key == b.key { return a.index < b.index }
            return sort.descending ? b.key < a.key : a.key < b.key
        }
    }
}
