/// Finds where a JSON text first breaks the grammar (RFC 8259), for messages such as
/// "line 3, column 14: expected ',' or ']'".
///
/// FoundationEssentials' `JSONDecoder` reports only "The given data was not valid JSON", without the
/// place; a user editing a view file needs the line. This is a checker, not a parser: it builds nothing.
public enum JSONSyntaxLocator {
    /// Nesting deeper than this is reported rather than followed (the checker recurses).
    static let maximumDepth = 512

    /// `nil` when `bytes` is one valid JSON value with only white space around it.
    public static func firstError(in bytes: some Collection<UInt8>) -> String? {
        var scanner = Scanner(bytes: Array(bytes))
        do throws(Failure) {
            scanner.skipWhitespace()
            try scanner.value(depth: 0)
            scanner.skipWhitespace()
            if scanner.index < scanner.bytes.count { throw scanner.failure("unexpected text after the value") }
            return nil
        } catch {
            return error.message
        }
    }

    struct Failure: Error { let message: String }

    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        func failure(_ what: String) -> Failure {
            var line = 1
            var column = 1
            for byte in bytes[..<min(index, bytes.count)] {
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            let found = current.map { $0 >= 0x21 && $0 < 0x7F ? "'\(Character(UnicodeScalar($0)))'" : "byte \($0)" }
            return Failure(message: "line \(line), column \(column): \(what)" + (found.map { ", found \($0)" } ?? ", found the end"))
        }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func value(depth: Int) throws(Failure) {
            guard depth < JSONSyntaxLocator.maximumDepth else { throw failure("nested too deeply") }
            guard let byte = current else { throw failure("expected a value") }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw failure("expected a value")
            }
        }

        mutating func object(depth: Int) throws(Failure) {
            try members(closedBy: UInt8(ascii: "}")) { scanner throws(Failure) in
                guard scanner.current == UInt8(ascii: "\"") else { throw scanner.failure("expected a key in quotes") }
                try scanner.string()
                scanner.skipWhitespace()
                guard scanner.current == UInt8(ascii: ":") else { throw scanner.failure("expected ':' after the key") }
                scanner.index += 1
                scanner.skipWhitespace()
                try scanner.value(depth: depth + 1)
            }
        }

        mutating func array(depth: Int) throws(Failure) {
            try members(closedBy: UInt8(ascii: "]")) { scanner throws(Failure) in try scanner.value(depth: depth + 1) }
        }

        /// An object's or array's members after its opening bracket: `member` reads one, commas separate
        /// them, `close` ends them (at once for an empty one).
        mutating func members(
            closedBy close: UInt8, _ member: (inout Scanner) throws(Failure) -> Void
        ) throws(Failure) {
            index += 1
            skipWhitespace()
            if current == close {
                index += 1
                return
            }
            while true {
                try member(&self)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","):
                    index += 1
                    skipWhitespace()
                case close:
                    index += 1
                    return
                default: throw failure("expected ',' or '\(Character(UnicodeScalar(close)))'")
                }
            }
        }

        mutating func string() throws(Failure) {
            index += 1
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let escaped = current else { break }
                    if escaped == UInt8(ascii: "u") {
                        index += 1
                        for _ in 0..<4 {
                            guard let hex = current, hex.isHexDigit else { throw failure("expected 4 hex digits after \\u") }
                            index += 1
                        }
                        continue
                    }
                    guard Array("\"\\/bfnrt".utf8).contains(escaped) else { throw failure("unknown escape") }
                    index += 1
                case 0..<0x20:
                    throw failure("control character in a string")
                default:
                    index += 1
                }
            }
            throw failure("unterminated string")
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            let start = index
            for byte in expected {
                guard current == byte else {
                    index = start
                    throw failure("expected \(word)")
                }
                index += 1
            }
        }

        mutating func number() throws(Failure) {
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, first.isDigit else { throw failure("expected a digit") }
            index += 1
            if first != UInt8(ascii: "0") { while let byte = current, byte.isDigit { index += 1 } }
            if current == UInt8(ascii: ".") {
                index += 1
                guard let byte = current, byte.isDigit else { throw failure("expected a digit after '.'") }
                while let byte = current, byte.isDigit { index += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard let byte = current, byte.isDigit else { throw failure("expected a digit in the exponent") }
                while let byte = current, byte.isDigit { index += 1 }
            }
        }
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isHexDigit: Bool {
        isDigit || (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "f"))
            || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "F"))
    }
}
