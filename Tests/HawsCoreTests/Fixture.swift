import Foundation

/// Real HAProxy 2.6.12 outputs captured in the lab (copied from shared/haproxy/samples-2.6.12).
enum Fixture {
    static func text(_ name: String) throws -> String {
        let parts = name.split(separator: ".")
        guard
            let url = Bundle.module.url(
                forResource: String(parts[0]), withExtension: String(parts[1]), subdirectory: "Fixtures")
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
