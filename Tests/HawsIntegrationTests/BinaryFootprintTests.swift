import Foundation
import Subprocess
import Testing

/// What the `haws` binary loads at start: FoundationEssentials, never Foundation proper.
///
/// Foundation proper (with FoundationInternationalization and its ICU data) added about 8 MB to the
/// resident memory of every haws process, which is what kept `haws top` above 40 MB at 10,000 servers
/// (issue 5). One `import Foundation` in a module of haws, or a dependency that imports it, brings it
/// back; this test names the library so the change is caught where it is made.
@Suite struct BinaryFootprintTests {
    @Test func hawsLinksFoundationEssentialsOnly() async throws {
        let result = try await Subprocess.run(
            .name("ldd"), arguments: [Haws.binary], output: .string(limit: 1 << 20), error: .discarded)
        let libraries = result.standardOutput.split(separator: "\n").compactMap {
            $0.split(whereSeparator: \.isWhitespace).first.map(String.init)
        }
        #expect(libraries.contains { $0.hasPrefix("libFoundationEssentials") }, "\(libraries)")
        let proper = libraries.filter {
            $0.hasPrefix("libFoundation.so") || $0.hasPrefix("libFoundationInternationalization")
                || $0.hasPrefix("lib_FoundationICU") || $0.hasPrefix("libFoundationNetworking")
        }
        #expect(proper.isEmpty, "haws loads \(proper): an `import Foundation` came back (use FoundationEssentials)")
    }
}
