import Foundation

/// Real HAProxy outputs captured in the lab: 2.6.12 (Debian 12) at the top of `Fixtures/` (copied from
/// shared/haproxy/samples-2.6.12), and one folder per other version verified (`Fixtures/3.0.11/`).
enum Fixture {
    /// - Parameter version: the folder of another HAProxy version's captures; nil for 2.6.12's.
    static func text(_ name: String, version: String? = nil) throws -> String {
        guard let dot = name.lastIndex(of: ".") else { throw CocoaError(.fileNoSuchFile) }
        let subdirectory = version.map { "Fixtures/\($0)" } ?? "Fixtures"
        guard
            let url = Bundle.module.url(
                forResource: String(name[..<dot]), withExtension: String(name[name.index(after: dot)...]),
                subdirectory: subdirectory)
        else { throw CocoaError(.fileNoSuchFile) }
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The samples prefix each captured command with `$ ...` lines and ` | ` margins; strip them.
    static func cliOutput(_ name: String) throws -> String {
        try text(name).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("###") }
            .joined(separator: "\n")
    }
}
