/// A TOML 1.0 reader that turns a config file into ``ConfigValue`` tables.
///
/// haws used TOMLKit (toml++ underneath). TOMLKit imports Foundation proper, and loading Foundation with
/// its ICU data cost every haws process about 8 MB of resident memory (47 MB against 39 MB for
/// `haws top` at 10,000 servers, where the target is 40 MB); it also compiled a large C++ library
/// on every CI run. A config file is small and read once, so this reader favours clear errors
/// ("line 3, column 9: key `interval` defined twice") over speed.
///
/// Covered: comments; bare, quoted and dotted keys; `[table]` and `[[array of tables]]` headers with
/// TOML's rules on redefinition; basic, literal and multi-line strings with every escape; decimal,
/// hexadecimal, octal and binary integers with `_` separators; floats with `inf` and `nan`; booleans;
/// arrays (multi-line, trailing comma); inline tables; and offset/local date-times, dates and times,
/// checked and kept as written (haws reads none).
package struct TOMLParser {
    /// A syntax error with its place (1-based line, column in characters).
    package struct SyntaxError: Error, Equatable {
        let line: Int
        let column: Int
        let message: String
    }

    package static func parse(_ text: String) throws(SyntaxError) -> [String: ConfigValue] {
        var parser = TOMLParser(bytes: Array(text.utf8))
        try parser.document()
        return parser.root.value
    }

    // MARK: - Tables under construction

    /// A table while the document is read: reference semantics, so a header can reopen it by path.
    final class Table {
        enum Origin {
            /// Named by a `[header]` (or the root): defining it again is an error.
            case header
            /// Created as the parent of a header (`[a.b]` creates `a`): a later `[a]` may define it.
            case implicit
            /// Created by a dotted key (`a.b = 1` creates `a`): no header may define it.
            case dottedKey
            /// An inline table `{ ... }` while it is read; it is then stored as a value, complete as written.
            case inline
        }

        enum Entry {
            case value(ConfigValue)
            case table(Table)
            /// `[[name]]`: one table per header.
            case tables([Table])
        }

        var origin: Origin
        var entries: [String: Entry] = [:]

        init(_ origin: Origin) { self.origin = origin }

        var value: [String: ConfigValue] {
            entries.mapValues { entry in
                switch entry {
                case .value(let value): value
                case .table(let table): .table(table.value)
                case .tables(let tables): .array(tables.map { .table($0.value) })
                }
            }
        }
    }

    private let bytes: [UInt8]
    private var index = 0
    private let root = Table(.header)
    /// The table that `key = value` lines go to: the root, then the last header's table.
    private var current: Table

    private init(bytes: [UInt8]) {
        self.bytes = bytes
        self.current = root
    }

    // MARK: - Document structure

    private mutating func document() throws(SyntaxError) {
        // A byte-order mark is allowed before the first line.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        while true {
            skipSpaces()
            guard let byte = peek() else { return }
            switch byte {
            case ascii("#"), ascii("\n"), ascii("\r"):
                break
            case ascii("["):
                if peek(1) == ascii("[") { try arrayOfTablesHeader() } else { try tableHeader() }
            default:
                try keyValue(into: current)
            }
            try endOfLine()
        }
    }

    /// `[a.b]`: defines a table, creating missing parents.
    private mutating func tableHeader() throws(SyntaxError) {
        let start = index
        index += 1
        skipSpaces()
        let path = try key()
        skipSpaces()
        try expect("]", "expected ']' to close the table header")
        let parent = try walk(path.dropLast(), from: root, at: start)
        let name = path[path.count - 1]
        switch parent.entries[name] {
        case nil:
            let table = Table(.header)
            parent.entries[name] = .table(table)
            current = table
        case .table(let table) where table.origin == .implicit:
            table.origin = .header
            current = table
        case .table(let table):
            let how = table.origin == .dottedKey ? "by dotted keys" : "already"
            throw error("table [\(Self.display(path))] is defined \(how); it cannot be defined again", at: start)
        case .tables:
            throw error("[\(Self.display(path))] is an array of tables; use [[\(Self.display(path))]]", at: start)
        case .value(.table):
            throw error("inline table \(Self.display(path)) cannot be extended", at: start)
        case .value:
            throw error("key \(Self.display(path)) already holds a value", at: start)
        }
    }

    /// `[[a.b]]`: appends a table to an array of tables.
    private mutating func arrayOfTablesHeader() throws(SyntaxError) {
        let start = index
        index += 2
        skipSpaces()
        let path = try key()
        skipSpaces()
        guard peek() == ascii("]"), peek(1) == ascii("]") else {
            throw error("expected ']]' to close the array-of-tables header")
        }
        index += 2
        let parent = try walk(path.dropLast(), from: root, at: start)
        let name = path[path.count - 1]
        let table = Table(.header)
        switch parent.entries[name] {
        case nil:
            parent.entries[name] = .tables([table])
        case .tables(var tables):
            tables.append(table)
            parent.entries[name] = .tables(tables)
        case .table, .value:
            throw error("[[\(Self.display(path))]] names something already defined that is not an array of tables", at: start)
        }
        current = table
    }

    /// The table at `path` below `table`, creating implicit tables; through an array of tables, its last one.
    private func walk(_ path: ArraySlice<String>, from table: Table, at start: Int) throws(SyntaxError) -> Table {
        var table = table
        for name in path {
            switch table.entries[name] {
            case nil:
                let child = Table(.implicit)
                table.entries[name] = .table(child)
                table = child
            case .table(let child):
                table = child
            case .tables(let tables):
                table = tables[tables.count - 1]
            case .value(.table):
                throw error("inline table \(name) cannot be extended", at: start)
            case .value:
                throw error("key \(name) already holds a value, not a table", at: start)
            }
        }
        return table
    }

    /// `a.b = value`, into `table`; `depth` counts the arrays and inline tables around it.
    private mutating func keyValue(into table: Table, depth: Int = 0) throws(SyntaxError) {
        let start = index
        let path = try key()
        skipSpaces()
        try expect("=", "expected '=' after the key")
        skipSpaces()
        let value = try self.value(depth: depth)
        var parent = table
        for name in path.dropLast() {
            switch parent.entries[name] {
            case nil:
                let child = Table(.dottedKey)
                parent.entries[name] = .table(child)
                parent = child
            case .table(let child) where child.origin == .dottedKey:
                parent = child
            default:
                throw error("key \(name) is already defined; dotted keys cannot add to it", at: start)
            }
        }
        let name = path[path.count - 1]
        guard parent.entries[name] == nil else {
            throw error("key \(Self.display(path)) is defined twice", at: start)
        }
        parent.entries[name] = .value(value)
    }

    /// After a key/value pair or a header: only spaces and a comment until the end of the line.
    private mutating func endOfLine() throws(SyntaxError) {
        skipSpaces()
        if peek() == ascii("#") { try comment() }
        guard let byte = peek() else { return }
        if byte == ascii("\n") {
            index += 1
        } else if byte == ascii("\r"), peek(1) == ascii("\n") {
            index += 2
        } else {
            throw error("expected the end of the line")
        }
    }

    private mutating func comment() throws(SyntaxError) {
        while let byte = peek(), byte != ascii("\n") {
            if byte == ascii("\r"), peek(1) == ascii("\n") { return }
            if byte < 0x20 && byte != ascii("\t") || byte == 0x7F { throw error("control character in a comment") }
            index += 1
        }
    }

    // MARK: - Keys

    /// A key of one or more parts separated by dots, each bare or quoted.
    private mutating func key() throws(SyntaxError) -> [String] {
        var parts = [try simpleKey()]
        while true {
            skipSpaces()
            guard peek() == ascii(".") else { return parts }
            index += 1
            skipSpaces()
            parts.append(try simpleKey())
        }
    }

    private mutating func simpleKey() throws(SyntaxError) -> String {
        switch peek() {
        case ascii("\""):
            guard !(peek(1) == ascii("\"") && peek(2) == ascii("\"")) else {
                throw error("a key cannot be a multi-line string")
            }
            return try basicString()
        case ascii("'"):
            guard !(peek(1) == ascii("'") && peek(2) == ascii("'")) else {
                throw error("a key cannot be a multi-line string")
            }
            return try literalString()
        default:
            let start = index
            while let byte = peek(), Self.isBareKey(byte) { index += 1 }
            guard index > start else { throw error("expected a key") }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
    }

    private static func isBareKey(_ byte: UInt8) -> Bool {
        (byte >= ascii("a") && byte <= ascii("z")) || (byte >= ascii("A") && byte <= ascii("Z")) || isDigit(byte)
            || byte == ascii("_") || byte == ascii("-")
    }

    // MARK: - Values

    /// Nesting deeper than this is refused (the reader recurses).
    static let maximumDepth = 128

    private mutating func value(depth: Int) throws(SyntaxError) -> ConfigValue {
        guard depth < Self.maximumDepth else { throw error("arrays or inline tables nested too deeply") }
        guard let byte = peek() else { throw error("expected a value") }
        switch byte {
        case ascii("\""):
            if peek(1) == ascii("\""), peek(2) == ascii("\"") { return .string(try multiLineBasicString()) }
            return .string(try basicString())
        case ascii("'"):
            if peek(1) == ascii("'"), peek(2) == ascii("'") { return .string(try multiLineLiteralString()) }
            return .string(try literalString())
        case ascii("t"):
            try word("true")
            return .boolean(true)
        case ascii("f"):
            try word("false")
            return .boolean(false)
        case ascii("["):
            return try array(depth: depth)
        case ascii("{"):
            return try inlineTable(depth: depth)
        default:
            return try numberOrDate()
        }
    }

    private mutating func array(depth: Int) throws(SyntaxError) -> ConfigValue {
        index += 1
        var elements: [ConfigValue] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            if peek() == ascii("]") {
                index += 1
                return .array(elements)
            }
            elements.append(try value(depth: depth + 1))
            try skipWhitespaceCommentsAndNewlines()
            switch peek() {
            case ascii(","):
                index += 1
            case ascii("]"):
                index += 1
                return .array(elements)
            default:
                throw error("expected ',' or ']' in the array")
            }
        }
    }

    /// `{ a = 1, b.c = "x" }`: on one line, no trailing comma (TOML 1.0).
    private mutating func inlineTable(depth: Int) throws(SyntaxError) -> ConfigValue {
        index += 1
        let table = Table(.inline)
        skipSpaces()
        if peek() == ascii("}") {
            index += 1
            return .table([:])
        }
        while true {
            skipSpaces()
            try keyValue(into: table, depth: depth + 1)
            skipSpaces()
            switch peek() {
            case ascii(","):
                index += 1
            case ascii("}"):
                index += 1
                return .table(table.value)
            default:
                throw error("expected ',' or '}' in the inline table")
            }
        }
    }

    private mutating func skipWhitespaceCommentsAndNewlines() throws(SyntaxError) {
        while let byte = peek() {
            switch byte {
            case ascii(" "), ascii("\t"), ascii("\n"):
                index += 1
            case ascii("\r") where peek(1) == ascii("\n"):
                index += 2
            case ascii("#"):
                try comment()
            default:
                return
            }
        }
    }

    private mutating func word(_ text: StaticString) throws(SyntaxError) {
        let expected = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        guard bytes.count - index >= expected.count, bytes[index..<(index + expected.count)].elementsEqual(expected) else {
            throw error("expected a value (true, false, a number, a string, an array or a table)")
        }
        index += expected.count
        guard peek().map({ !Self.isBareKey($0) }) ?? true else { throw error("unexpected text after \(text)") }
    }

    // MARK: - Strings

    private mutating func basicString() throws(SyntaxError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var run = index
        while true {
            guard let byte = peek() else { throw error("unterminated string") }
            switch byte {
            case ascii("\""):
                appendRun(from: run, to: &scalars)
                index += 1
                return String(scalars)
            case ascii("\\"):
                appendRun(from: run, to: &scalars)
                scalars.append(try escape())
                run = index
            case ascii("\n"), ascii("\r"):
                throw error("line break in a one-line string (use \"\"\" for several lines)")
            default:
                try checkStringByte(byte)
                index += 1
            }
        }
    }

    private mutating func multiLineBasicString() throws(SyntaxError) -> String {
        index += 3
        skipNewline()
        var scalars = String.UnicodeScalarView()
        var run = index
        while true {
            guard let byte = peek() else { throw error("unterminated multi-line string") }
            switch byte {
            case ascii("\""):
                if peek(1) == ascii("\""), peek(2) == ascii("\"") {
                    // Up to two quotes may end the content right before the closing three.
                    var quotes = 3
                    while quotes < 5, peek(quotes) == ascii("\"") { quotes += 1 }
                    index += quotes - 3
                    appendRun(from: run, to: &scalars)
                    index += 3
                    return String(scalars)
                }
                index += 1
            case ascii("\\"):
                appendRun(from: run, to: &scalars)
                if try lineEndingBackslash() {
                    run = index
                    continue
                }
                scalars.append(try escape())
                run = index
            case ascii("\r"):
                guard peek(1) == ascii("\n") else { throw error("bare carriage return in a string") }
                index += 2
            case ascii("\n"):
                index += 1
            default:
                try checkStringByte(byte)
                index += 1
            }
        }
    }

    /// A `\` at the end of a line in a multi-line basic string trims the line break and the blanks after it.
    private mutating func lineEndingBackslash() throws(SyntaxError) -> Bool {
        var probe = index + 1
        while probe < bytes.count, bytes[probe] == ascii(" ") || bytes[probe] == ascii("\t") { probe += 1 }
        guard probe < bytes.count, bytes[probe] == ascii("\n") || bytes[probe] == ascii("\r") else { return false }
        index = probe
        while let byte = peek() {
            if byte == ascii(" ") || byte == ascii("\t") || byte == ascii("\n") {
                index += 1
            } else if byte == ascii("\r"), peek(1) == ascii("\n") {
                index += 2
            } else {
                break
            }
        }
        return true
    }

    private mutating func literalString() throws(SyntaxError) -> String {
        index += 1
        let start = index
        while true {
            guard let byte = peek() else { throw error("unterminated literal string") }
            if byte == ascii("'") {
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return text
            }
            if byte == ascii("\n") || byte == ascii("\r") {
                throw error("line break in a one-line string (use ''' for several lines)")
            }
            try checkStringByte(byte)
            index += 1
        }
    }

    private mutating func multiLineLiteralString() throws(SyntaxError) -> String {
        index += 3
        skipNewline()
        let start = index
        while true {
            guard let byte = peek() else { throw error("unterminated multi-line literal string") }
            if byte == ascii("'"), peek(1) == ascii("'"), peek(2) == ascii("'") {
                var quotes = 3
                while quotes < 5, peek(quotes) == ascii("'") { quotes += 1 }
                index += quotes - 3
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 3
                return text
            }
            if byte == ascii("\r") {
                guard peek(1) == ascii("\n") else { throw error("bare carriage return in a string") }
                index += 2
                continue
            }
            if byte != ascii("\n") { try checkStringByte(byte) }
            index += 1
        }
    }

    /// A line break right after the opening quotes is not part of a multi-line string.
    private mutating func skipNewline() {
        if peek() == ascii("\n") {
            index += 1
        } else if peek() == ascii("\r"), peek(1) == ascii("\n") {
            index += 2
        }
    }

    private func checkStringByte(_ byte: UInt8) throws(SyntaxError) {
        if byte < 0x20 && byte != ascii("\t") || byte == 0x7F { throw error("control character in a string (escape it)") }
    }

    /// Appends `bytes[run..<index]`, checked as UTF-8, to `scalars`.
    private func appendRun(from run: Int, to scalars: inout String.UnicodeScalarView) {
        guard run < index else { return }
        scalars.append(contentsOf: String(decoding: bytes[run..<index], as: UTF8.self).unicodeScalars)
    }

    private mutating func escape() throws(SyntaxError) -> Unicode.Scalar {
        let start = index
        index += 1
        guard let byte = peek() else { throw error("unterminated string") }
        index += 1
        switch byte {
        case ascii("b"): return "\u{08}"
        case ascii("t"): return "\t"
        case ascii("n"): return "\n"
        case ascii("f"): return "\u{0C}"
        case ascii("r"): return "\r"
        case ascii("\""): return "\""
        case ascii("\\"): return "\\"
        case ascii("u"), ascii("U"):
            let count = byte == ascii("u") ? 4 : 8
            guard bytes.count - index >= count,
                let code = UInt32(String(decoding: bytes[index..<(index + count)], as: UTF8.self), radix: 16),
                bytes[index..<(index + count)].allSatisfy(Self.isHexDigit),
                let scalar = Unicode.Scalar(code)
            else { throw error("\\\(Character(Unicode.Scalar(byte))) needs \(count) hex digits of a Unicode scalar", at: start) }
            index += count
            return scalar
        default:
            throw error("unknown escape \\\(Character(Unicode.Scalar(byte)))", at: start)
        }
    }

    // MARK: - Numbers and dates

    private mutating func numberOrDate() throws(SyntaxError) -> ConfigValue {
        let start = index
        while let byte = peek(), Self.isValueCharacter(byte) { index += 1 }
        // A date and a time may be separated by one space: `1979-05-27 07:32:00`.
        if index - start == 10, peek() == ascii(" "), let next = peek(1), Self.isDigit(next),
            bytes[start + 4] == ascii("-")
        {
            index += 1
            while let byte = peek(), Self.isValueCharacter(byte) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard !text.isEmpty else { throw error("expected a value (true, false, a number, a string, an array or a table)") }
        if let value = Self.integer(text) { return .integer(value) }
        if let value = Self.float(text) { return .float(value) }
        if Self.isDateOrTime(text) { return .dateTime(text) }
        throw error("\(text) is not a valid value (numbers, dates, quoted strings, true or false)", at: start)
    }

    private static func isValueCharacter(_ byte: UInt8) -> Bool {
        isBareKey(byte) || byte == ascii("+") || byte == ascii(".") || byte == ascii(":")
    }

    static func integer(_ text: String) -> Int? {
        var body = Substring(text)
        var radix = 10
        for (prefix, base) in [("0x", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
            body = body.dropFirst(2)
            radix = base
        }
        var negative = false
        if radix == 10, let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        guard let digits = withoutUnderscores(body) else { return nil }
        if radix == 10, digits.count > 1, digits.first == "0" { return nil }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isHexDigit }),
            let magnitude = UInt64(digits, radix: radix)
        else { return nil }
        if negative {
            return magnitude <= UInt64(Int.max) + 1 ? Int(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int.max) ? Int(magnitude) : nil
    }

    static func float(_ text: String) -> Double? {
        var body = Substring(text)
        var sign = ""
        if let first = body.first, first == "+" || first == "-" {
            sign = String(first)
            body = body.dropFirst()
        }
        switch body {
        case "inf": return sign == "-" ? -.infinity : .infinity
        case "nan": return .nan
        default: break
        }
        // digits [. digits] [e|E [+-] digits], with `_` only between digits, no leading zeros.
        let parts = body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "e" || $0 == "E" })
        guard parts.count <= 2, let mantissa = parts.first else { return nil }
        let halves = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard halves.count <= 2, let whole = withoutUnderscores(halves[0]), !whole.isEmpty,
            whole.allSatisfy(\.isASCIIDigit), whole.count == 1 || whole.first != "0"
        else { return nil }
        var normalized = sign + whole
        if halves.count == 2 {
            guard let fraction = withoutUnderscores(halves[1]), !fraction.isEmpty, fraction.allSatisfy(\.isASCIIDigit)
            else { return nil }
            normalized += "." + fraction
        }
        if parts.count == 2 {
            var exponent = parts[1]
            var exponentSign = ""
            if let first = exponent.first, first == "+" || first == "-" {
                exponentSign = String(first)
                exponent = exponent.dropFirst()
            }
            guard let digits = withoutUnderscores(exponent), !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit)
            else { return nil }
            normalized += "e" + exponentSign + digits
        }
        guard halves.count == 2 || parts.count == 2 else { return nil }
        return Double(normalized)
    }

    /// The digits without `_`, or `nil` when an underscore is not between two digits.
    private static func withoutUnderscores(_ text: Substring) -> String? {
        var result = ""
        var previousWasDigit = false
        for character in text {
            if character == "_" {
                guard previousWasDigit else { return nil }
                previousWasDigit = false
            } else {
                result.append(character)
                previousWasDigit = true
            }
        }
        return text.last == "_" ? nil : result
    }

    /// `1979-05-27`, `07:32:00.5`, `1979-05-27T07:32:00Z`, `1979-05-27 07:32:00-07:00`.
    static func isDateOrTime(_ text: String) -> Bool {
        let characters = Array(text)
        var position = 0
        func number(_ count: Int, in range: ClosedRange<Int>) -> Bool {
            guard position + count <= characters.count,
                let value = Int(String(characters[position..<(position + count)])),
                characters[position..<(position + count)].allSatisfy(\.isASCIIDigit), range.contains(value)
            else { return false }
            position += count
            return true
        }
        func literal(_ options: Set<Character>) -> Bool {
            guard position < characters.count, options.contains(characters[position]) else { return false }
            position += 1
            return true
        }
        func time() -> Bool {
            guard number(2, in: 0...23), literal([":"]), number(2, in: 0...59), literal([":"]), number(2, in: 0...60)
            else { return false }
            if position < characters.count, characters[position] == "." {
                position += 1
                let digits = characters[position...].prefix(while: \.isASCIIDigit).count
                guard digits > 0 else { return false }
                position += digits
            }
            return true
        }
        if characters.count >= 3, characters[2] == ":" { return time() && position == characters.count }
        guard number(4, in: 0...9999), literal(["-"]), number(2, in: 1...12), literal(["-"]), number(2, in: 1...31)
        else { return false }
        if position == characters.count { return true }
        guard literal(["T", "t", " "]), time() else { return false }
        if position == characters.count { return true }
        if literal(["Z", "z"]) { return position == characters.count }
        guard literal(["+", "-"]), number(2, in: 0...23), literal([":"]), number(2, in: 0...59) else { return false }
        return position == characters.count
    }

    // MARK: - Reading helpers

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func skipSpaces() {
        while let byte = peek(), byte == ascii(" ") || byte == ascii("\t") { index += 1 }
    }

    private mutating func expect(_ character: Unicode.Scalar, _ message: String) throws(SyntaxError) {
        guard peek() == UInt8(ascii: character) else { throw error(message) }
        index += 1
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= ascii("0") && byte <= ascii("9") }
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= ascii("a") && byte <= ascii("f")) || (byte >= ascii("A") && byte <= ascii("F"))
    }

    private static func display(_ path: [String]) -> String {
        path.map { name in name.allSatisfy { $0.isASCII && isBareKey($0.asciiValue!) } ? name : "\"\(name)\"" }
            .joined(separator: ".")
    }

    /// An error at `position` (default: where reading stopped), with its 1-based line and column.
    private func error(_ message: String, at position: Int? = nil) -> SyntaxError {
        let end = min(position ?? index, bytes.count)
        var line = 1
        var column = 1
        for byte in bytes[..<end] {
            if byte == ascii("\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SyntaxError(line: line, column: column, message: message)
    }
}

private func ascii(_ character: Unicode.Scalar) -> UInt8 { UInt8(ascii: character) }

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
