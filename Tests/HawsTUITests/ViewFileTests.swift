import Foundation
import HawsTestSupport
import Testing

@testable import HawsTUI

@Suite struct ViewFileTests {
    static let shippedDirectory = Fixture.repositoryRoot.appendingPathComponent("Dashboards/views").path

    static func shippedFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: shippedDirectory).filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test func shipsTheFourViewsAndServersIsTheDefault() throws {
        let names = ViewLoader.builtin().map(\.name)
        #expect(names == ["servers", "tunnels", "traffic", "frontends"])
        #expect(try Self.shippedFiles() == ["frontends.json", "servers.json", "traffic.json", "tunnels.json"])
    }

    /// The compiled-in copies are the files of Dashboards/views, byte for byte.
    @Test func builtinCopiesMatchTheFiles() throws {
        for (name, json) in BuiltinViews.files {
            let file = try String(contentsOfFile: Self.shippedDirectory + "/" + name, encoding: .utf8)
            #expect(
                file.trimmingCharacters(in: .whitespacesAndNewlines) == json,
                "Dashboards/views/\(name) differs from BuiltinViews.swift: paste the file there")
        }
        #expect(Set(BuiltinViews.files.map(\.name)) == Set(try Self.shippedFiles()))
    }

    /// Every shipped view loads from its file and renders at the smallest supported size and a large one.
    @Test(arguments: try shippedFiles())
    func everyShippedViewLoadsAndRenders(file: String) throws {
        let path = Self.shippedDirectory + "/" + file
        let view = try ViewLoader.parse(try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
        var state = Fixture.state(views: [view])
        #expect(state.view.name == view.name)
        for size in [TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 200, rows: 50)] {
            state = update(state, .resized(size)).0
            let screen = Fixture.screen(state)
            let text = screen.text
            let firstTitle = view.columns[0].title
            #expect(text.contains(firstTitle), "\(file) at \(size): no header \(firstTitle)\n\(text)")
            if view.kind == .servers {
                #expect(text.contains("ws_chat") && text.contains("s2"), "\(file) at \(size)\n\(text)")
            } else {
                #expect(text.contains("fe_main"), "\(file) at \(size)\n\(text)")
            }
            // No line is longer than the terminal.
            #expect(screen.lines.allSatisfy { DisplayWidth.of($0) <= size.columns })
        }
    }

    @Test func fieldsDefaultFromTheColumn() throws {
        let view = try ViewLoader.parse(
            Data(#"{"name": "mine", "columns": [{"id": "name"}, {"id": "tunnels", "width": 9}]}"#.utf8),
            file: "mine.json")
        #expect(view.kind == .servers)
        #expect(view.order == 100)
        #expect(view.columns[1] == ColumnSpec(.tunnels, title: "TUNNELS", width: 9, alignment: .right))
        #expect(view.sort == .configuration)
    }

    @Test(arguments: [
        (
            #"{"name": "x", "columns": [{"id": "name"}, {"id": "tunels"}]}"#, "columns[1].id",
            "unknown column \"tunels\""
        ),
        (#"{"name": "x", "columns": [{"id": "name", "width": 0}]}"#, "columns[0].width", "whole number from 1 to 200"),
        (
            #"{"name": "x", "columns": [{"id": "name", "width": "wide"}]}"#, "columns[0].width",
            "expected a number, found a string"
        ),
        (#"{"name": "x", "columns": [{"id": "name", "widht": 3}]}"#, "columns[0].widht", "unknown key"),
        (#"{"name": "x", "columns": [{"id": "name", "align": "middle"}]}"#, "columns[0].align", "unknown alignment"),
        (
            #"{"name": "x", "kind": "frontends", "columns": [{"id": "tunnels"}]}"#, "columns[0].id",
            "does not apply to a frontends view"
        ),
        (#"{"name": "x", "columns": []}"#, "columns", "is empty"),
        (#"{"columns": [{"id": "name"}]}"#, "name", "missing"),
        (#"{"name": "a b", "columns": [{"id": "name"}]}"#, "name", "letters, digits"),
        (
            #"{"name": "x", "columns": [{"id": "name"}], "sort": {"column": "spark_tunnels"}}"#, "sort.column",
            "cannot sort"
        ),
        (
            #"{"name": "x", "columns": [{"id": "name"}], "sort": {"direction": "up"}}"#, "sort.direction",
            "unknown direction"
        ),
        (#"{"name": "x", "colums": []}"#, "colums", "unknown key"),
    ])
    func badFilesNameTheKey(json: String, key: String, message: String) {
        #expect {
            try ViewLoader.parse(Data(json.utf8), file: "/home/op/.config/haws/views/bad.json")
        } throws: { error in
            guard let error = error as? ViewFileError else { return false }
            let line = error.description
            return error.key == key && line.contains(message) && line.contains("/home/op/.config/haws/views/bad.json")
                && !line.contains("\n")
        }
    }

    @Test func invalidJSONIsOneLineNamingTheFile() {
        #expect {
            try ViewLoader.parse(Data("{\"name\": \"x\",\n \"columns\": [".utf8), file: "broken.json")
        } throws: { error in
            let line = (error as? ViewFileError)?.description ?? ""
            return line.hasPrefix("view file broken.json: not valid JSON") && !line.contains("\n")
        }
    }

    /// A bad file is reported; the shipped views and the user's good file still load, and a user
    /// view named like a shipped one replaces it.
    @Test func aBadFileDoesNotStopTheOthers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.write(
            "oncall.json",
            #"{"name": "oncall", "order": 5, "columns": [{"id": "name"}, {"id": "tunnels"}, {"id": "drain"}], "sort": {"column": "tunnels"}}"#
        )
        _ = try directory.write("broken.json", #"{"name": "broken", "columns": [{"id": "nope"}]}"#)
        _ = try directory.write("my-servers.json", #"{"name": "servers", "order": 1, "columns": [{"id": "name"}, {"id": "state"}]}"#)
        _ = try directory.write("notes.txt", "not json")
        let result = ViewLoader.load(directories: [directory.path, "/nonexistent/haws/views"])
        #expect(result.views.map(\.name) == ["servers", "tunnels", "traffic", "frontends", "oncall"])
        #expect(result.views[0].columns.count == 2)
        #expect(result.views[4].sort == SortSpec(column: .tunnels, descending: true))
        #expect(result.errors.count == 1)
        #expect(
            result.errors.first?.description.contains("broken.json: columns[0].id: unknown column \"nope\"") == true)
        // The error is shown on the first screen.
        let state = TopState(
            settings: TopSettings(), views: result.views, size: TerminalSize(columns: 120, rows: 30),
            now: Fixture.start, messages: result.errors.map(\.description))
        #expect(Fixture.screen(state).text.contains("broken.json: columns[0].id"))
    }
}

@Suite struct ShippedViewErrorTests {
    /// A shipped view that does not parse is reported with its name, not dropped silently.
    @Test func aBrokenShippedViewIsReported() {
        let good = BuiltinViews.files[0]
        let result = ViewLoader.parseShipped([good, (name: "broken.json", json: "{\"name\": ")])
        #expect(result.views.count == 1)
        #expect(result.errors.count == 1)
        #expect(result.errors.first?.description.contains("builtin:broken.json") == true, "\(result.errors)")
    }
}
