import Foundation
import HawsCore
import Testing

/// The helpers that replace Foundation-proper APIs (haws links FoundationEssentials only).
@Suite struct FoundationFreeTextTests {
    /// `String(printf:)` matches Foundation's `String(format:)` for every format haws uses.
    @Test func printfMatchesFoundation() {
        let values: [Double] = [0, 0.004, 0.005, 1.25, 2.675, 9.995, 12.345, 1204.5, -3.14159, 1e9]
        for value in values {
            for format in ["%.1f", "%.2f", "%.0fms", "%.1fs", "%.2fms", "%.1f/s"] {
                #expect(String(printf: format, value) == String(format: format, value), "\(format) \(value)")
            }
        }
        #expect(String(printf: "%02d:%02d:%02d", Int32(3), Int32(7), Int32(9)) == "03:07:09")
        #expect(String(printf: "%ldm%02lds", 12, 5) == "12m05s")
        // Longer than the first buffer.
        #expect(String(printf: "%0200d", Int32(1)) == String(repeating: "0", count: 199) + "1")
    }

    @Test func trimmingWhitespace() {
        #expect("  a b \t\n".trimmingWhitespace() == "a b")
        #expect("\r\n".trimmingWhitespace() == "")
        #expect("x".trimmingWhitespace() == "x")
        #expect(" yes\n"[...].trimmingWhitespace() == "yes")
    }

    @Test func rfc3339IsUTCWithMilliseconds() {
        #expect(RFC3339.string(Date(timeIntervalSince1970: 1_764_087_780.123)) == "2025-11-25T16:23:00.123Z")
        #expect(RFC3339.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    /// `JSONDecoder` without Foundation proper says only "not valid JSON"; the locator says where.
    @Test(arguments: [
        ("{\"name\": \"x\",\n \"columns\": [", "line 2, column 14: expected a value, found the end"),
        ("{\"a\": 1,}", "line 1, column 9: expected a key in quotes, found '}'"),
        ("[1 2]", "line 1, column 4: expected ',' or ']', found '2'"),
        ("{\"a\" 1}", "line 1, column 6: expected ':' after the key, found '1'"),
        ("{\"a\": 1 \"b\": 2}", "line 1, column 9: expected ',' or '}', found '\"'"),
        ("{\"é\": tru}", "line 1, column 7: expected true, found 't'"),
        ("\"bad \\x\"", "line 1, column 7: unknown escape, found 'x'"),
        ("01", "line 1, column 2: unexpected text after the value, found '1'"),
        ("{} {}", "line 1, column 4: unexpected text after the value, found '{'"),
    ])
    func jsonErrorsSayWhere(text: String, expected: String) {
        #expect(JSONSyntaxLocator.firstError(in: Array(text.utf8)) == expected)
    }

    @Test func validJSONHasNoError() {
        for text in ["{}", "[]", " {\"a\": [1, -2.5e3, true, false, null, \"\\u00e9\\n\"]} ", "0", "\"\""] {
            #expect(JSONSyntaxLocator.firstError(in: Array(text.utf8)) == nil, "\(text)")
        }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(JSONSyntaxLocator.firstError(in: Array(deep.utf8))?.contains("nested too deeply") == true)
    }

    @Test func fileErrorsAreShort() {
        do {
            _ = try FileManager.default.contentsOfDirectory(atPath: "/nonexistent-haws-test")
            Issue.record("listing a missing directory worked")
        } catch {
            #expect(fileErrorReason(error) == "No such file or directory")
        }
    }
}
