import Foundation
import HawsTestSupport
import Testing

@testable import HawsConfig

/// haws's TOML 1.0 reader: every value kind, TOML's table rules, and errors with their line and column.
@Suite struct TOMLParserTests {
    func parse(_ text: String) throws -> [String: ConfigValue] { try TOMLParser.parse(text) }

    func failure(_ text: String) -> TOMLParser.SyntaxError? {
        do {
            _ = try TOMLParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func keysTablesAndArraysOfTables() throws {
        let document = """
            # a comment line
            title = "haws"   # after a value
            "quoted key" = 1
            'literal key' = 2
            site."google.com" = true
            fruit.apple.color = "red"
            fruit.apple.taste.sweet = true

            [owner]
            name = "ops"

            [a.b.c]
            x = 1

            [a]
            y = 2

            [[instance]]
            name = "edge-1"
            [instance.timeouts]
            request = "5s"

            [[instance]]
            name = "edge-2"
            """
        let root = try parse(document)
        #expect(root["title"] == .string("haws"))
        #expect(root["quoted key"] == .integer(1))
        #expect(root["literal key"] == .integer(2))
        #expect(root["site"] == .table(["google.com": .boolean(true)]))
        #expect(
            root["fruit"]
                == .table(["apple": .table(["color": .string("red"), "taste": .table(["sweet": .boolean(true)])])]))
        #expect(root["owner"] == .table(["name": .string("ops")]))
        #expect(root["a"] == .table(["y": .integer(2), "b": .table(["c": .table(["x": .integer(1)])])]))
        #expect(
            root["instance"]
                == .array([
                    .table(["name": .string("edge-1"), "timeouts": .table(["request": .string("5s")])]),
                    .table(["name": .string("edge-2")]),
                ]))
    }

    @Test func strings() throws {
        let document = #"""
            basic = "tab\there \"quoted\" back\\slash \u00e9 \U0001F600"
            literal = 'C:\Users\nodejs\templates'
            multi = """
            Roses are red
            Violets are blue"""
            trimmed = """\
                   The quick brown \
                   fox."""
            quotes = """Here are two quotation marks: "". Simple enough."""
            ending = """ends with a quote""""
            raw = '''
            The first newline is
            trimmed in raw strings.
               All other whitespace
               is preserved.
            '''
            empty = ""
            """#
        let root = try parse(document)
        #expect(root["basic"] == .string("tab\there \"quoted\" back\\slash é 😀"))
        #expect(root["literal"] == .string(#"C:\Users\nodejs\templates"#))
        #expect(root["multi"] == .string("Roses are red\nViolets are blue"))
        #expect(root["trimmed"] == .string("The quick brown fox."))
        #expect(root["quotes"] == .string(#"Here are two quotation marks: "". Simple enough."#))
        #expect(root["ending"] == .string(#"ends with a quote""#))
        #expect(
            root["raw"]
                == .string("The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n"))
        #expect(root["empty"] == .string(""))
    }

    @Test func numbersBooleansAndDates() throws {
        let document = """
            int1 = +99
            int2 = -17
            int3 = 1_000_000
            int4 = 0
            hex = 0xDEAD_beef
            oct = 0o755
            bin = 0b1101
            max = 9223372036854775807
            min = -9223372036854775808
            flt1 = 3.1415
            flt2 = -0.01
            flt3 = 5e+22
            flt4 = 6.626e-34
            flt5 = 224_617.445_991
            pinf = +inf
            ninf = -inf
            nan = nan
            yes = true
            no = false
            odt = 1979-05-27T07:32:00.999-07:00
            odt_space = 1979-05-27 07:32:00Z
            ldt = 1979-05-27T07:32:00
            ld = 1979-05-27
            lt = 00:32:00.5
            """
        let root = try parse(document)
        #expect(root["int1"] == .integer(99))
        #expect(root["int2"] == .integer(-17))
        #expect(root["int3"] == .integer(1_000_000))
        #expect(root["int4"] == .integer(0))
        #expect(root["hex"] == .integer(0xDEAD_BEEF))
        #expect(root["oct"] == .integer(0o755))
        #expect(root["bin"] == .integer(0b1101))
        #expect(root["max"] == .integer(Int.max))
        #expect(root["min"] == .integer(Int.min))
        #expect(root["flt1"] == .float(3.1415))
        #expect(root["flt2"] == .float(-0.01))
        #expect(root["flt3"] == .float(5e22))
        #expect(root["flt4"] == .float(6.626e-34))
        #expect(root["flt5"] == .float(224_617.445_991))
        #expect(root["pinf"] == .float(.infinity))
        #expect(root["ninf"] == .float(-.infinity))
        guard case .float(let nan) = root["nan"] else { Issue.record("nan is not a float"); return }
        #expect(nan.isNaN)
        #expect(root["yes"] == .boolean(true))
        #expect(root["no"] == .boolean(false))
        #expect(root["odt"] == .dateTime("1979-05-27T07:32:00.999-07:00"))
        #expect(root["odt_space"] == .dateTime("1979-05-27 07:32:00Z"))
        #expect(root["ldt"] == .dateTime("1979-05-27T07:32:00"))
        #expect(root["ld"] == .dateTime("1979-05-27"))
        #expect(root["lt"] == .dateTime("00:32:00.5"))
    }

    @Test func arraysAndInlineTables() throws {
        let document = """
            ports = [ 8080, 8081, ]
            nested = [ [ 1, 2 ], ["a", 'b'] ]
            multiline = [
              "one",   # first
              "two",
            ]
            point = { x = 1, y.z = 2 }
            points = [ { x = 1 }, { x = 2 } ]
            empty = {}
            """
        let root = try parse(document)
        #expect(root["ports"] == .array([.integer(8080), .integer(8081)]))
        #expect(
            root["nested"] == .array([.array([.integer(1), .integer(2)]), .array([.string("a"), .string("b")])]))
        #expect(root["multiline"] == .array([.string("one"), .string("two")]))
        #expect(root["point"] == .table(["x": .integer(1), "y": .table(["z": .integer(2)])]))
        #expect(root["points"] == .array([.table(["x": .integer(1)]), .table(["x": .integer(2)])]))
        #expect(root["empty"] == .table([:]))
    }

    @Test func windowsLineEndingsAndByteOrderMark() throws {
        let root = try parse("\u{FEFF}a = 1\r\n[t]\r\nb = \"x\"\r\n")
        #expect(root == ["a": .integer(1), "t": .table(["b": .string("x")])])
    }

    /// Each broken document fails at the line and column given, with a message naming the problem.
    @Test(arguments: [
        ("a = 1\na = 2", 2, 1, "defined twice"),
        ("[t]\nx = 1\n[t]", 3, 1, "cannot be defined again"),
        ("[fruit]\napple.color = 1\n[fruit.apple]", 3, 1, "defined by dotted keys"),
        ("a = { b = 1 }\n[a.c]", 2, 1, "inline table a cannot be extended"),
        ("[[t]]\n[t]", 2, 1, "array of tables"),
        ("[t]\n[[t]]", 2, 1, "not an array of tables"),
        ("x = [1]\n[[x]]", 2, 1, "not an array of tables"),
        ("a = 1\na.b = 2", 2, 1, "dotted keys cannot add"),
        ("name = \"unterminated", 1, 21, "unterminated string"),
        ("s = \"bad \\q escape\"", 1, 10, "unknown escape \\q"),
        ("s = \"\\u12\"", 1, 6, "4 hex digits"),
        ("s = \"line\nbreak\"", 1, 10, "line break"),
        ("n = 007", 1, 5, "not a valid value"),
        ("n = 1__0", 1, 5, "not a valid value"),
        ("n = 1_", 1, 5, "not a valid value"),
        ("n = 9223372036854775808", 1, 5, "not a valid value"),
        ("f = .5", 1, 5, "not a valid value"),
        ("d = 1979-13-27", 1, 5, "not a valid value"),
        ("key value", 1, 5, "expected '='"),
        ("a = 1 b = 2", 1, 7, "end of the line"),
        ("a = \n", 1, 5, "expected a value"),
        ("a = bare", 1, 5, "not a valid value"),
        ("a = truely", 1, 9, "after true"),
        ("t = { a = 1,\n b = 2 }", 1, 13, "expected a key"),
        ("t = { a = 1, }", 1, 14, "expected a key"),
        ("a = [1 2]", 1, 8, "expected ',' or ']'"),
        ("[t\nx = 1", 1, 3, "expected ']'"),
        ("[[t]\n", 1, 4, "expected ']]'"),
        ("= 1", 1, 1, "expected a key"),
        ("\"\"\"k\"\"\" = 1", 1, 1, "multi-line"),
        ("a = 1 # bell \u{07}", 1, 14, "control character"),
    ])
    func errorsSayWhere(document: String, line: Int, column: Int, message: String) throws {
        let error = try #require(failure(document), "\(document.debugDescription) was accepted")
        #expect(error.line == line && error.column == column, "\(error)")
        #expect(error.message.contains(message), "\(error.message)")
    }

    /// Headers and dotted keys may have blanks around their parts.
    @Test func blanksAroundKeyParts() throws {
        let root = try parse("[ a . \"b.c\" ]\nx . y = 1\n[[ list ]]\n")
        #expect(root["a"] == .table(["b.c": .table(["x": .table(["y": .integer(1)])])]))
        #expect(root["list"] == .array([.table([:])]))
    }

    /// Random bytes from TOML's alphabet: an error or a table, never a crash (a bad config file must end in
    /// a clear message).
    @Test func randomDocumentsNeverCrash() {
        // A crash prints no message: the fixed seed makes a rerun the replay.
        var generator = SeededRandom(seed: 0x7031)
        let alphabet = Array("ab1_-.=[]{},\"'\\#\n\r\t +e:0xZT\u{00e9}".utf8)
        for _ in 0..<2_000 {
            let length = Int.random(in: 0..<60, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            _ = try? TOMLParser.parse(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Deep nesting is refused with a message instead of exhausting the stack.
    @Test func deepNestingIsRefused() throws {
        let deep = "a = " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(failure(deep)?.message.contains("nested too deeply") == true)
        let inline = "a = " + String(repeating: "{ b = ", count: 10_000) + "1" + String(repeating: " }", count: 10_000)
        #expect(failure(inline)?.message.contains("nested too deeply") == true)
    }

    /// The same documents read by Python's `tomllib` (the standard library's TOML 1.0 reader) give the
    /// same values, so the expectations above are TOML's, not this reader's own idea of it.
    @Test func agreesWithPythonTomllib() throws {
        let documents = [
            #"a = 1\n[t]\nb.c = "x"\n[[arr]]\nv = 0x1F\n[[arr]]\nv = -0.5e3\n"#,
            #"s = "é\u00e9\t"\nm = """\n  x \\n  y"""\nl = '''a\nb'''\n"#,
            #"d = [1979-05-27T07:32:00Z, 07:32:00, 1979-05-27]\ni = {x = [1, {y = true}]}\n"#,
        ].map { $0.replacingOccurrences(of: "\\n", with: "\n") }
        for document in documents {
            let ours = try parse(document)
            let python = try Self.tomllib(document)
            #expect(Self.canonical(.table(ours)) == python, "\(document)")
        }
    }

    /// Python's reading of `document` as canonical JSON text (sorted keys, dates as their text).
    static func tomllib(_ document: String) throws -> String {
        let script = """
            import sys, tomllib, json, datetime
            def canon(v):
                if isinstance(v, dict): return {k: canon(x) for k, x in v.items()}
                if isinstance(v, list): return [canon(x) for x in v]
                if isinstance(v, bool): return {"bool": v}
                if isinstance(v, int): return {"int": v}
                if isinstance(v, float): return {"float": repr(v)}
                if isinstance(v, (datetime.datetime, datetime.date, datetime.time)): return {"date": True}
                return {"str": v}
            print(json.dumps(canon(tomllib.loads(sys.stdin.read())), sort_keys=True, ensure_ascii=False))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(document.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Our value in the same canonical JSON form as ``tomllib(_:)``.
    static func canonical(_ value: ConfigValue) -> String {
        func quoted(_ text: String) -> String {
            let data = try! JSONEncoder().encode(text)
            return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
        }
        switch value {
        case .string(let text): return "{\"str\": \(quoted(text))}"
        case .integer(let number): return "{\"int\": \(number)}"
        case .float(let number): return "{\"float\": \(quoted(Self.pythonRepr(number)))}"
        case .boolean(let flag): return "{\"bool\": \(flag)}"
        case .dateTime: return "{\"date\": true}"
        case .array(let values): return "[" + values.map(canonical).joined(separator: ", ") + "]"
        case .table(let table):
            let keys = table.keys.sorted()
            return "{" + keys.map { "\(quoted($0)): \(canonical(table[$0]!))" }.joined(separator: ", ") + "}"
        }
    }

    /// Python's `repr` of the floats used above.
    static func pythonRepr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return value == value.rounded() && abs(value) < 1e16 ? "\(Int(value)).0" : "\(value)"
    }
}
