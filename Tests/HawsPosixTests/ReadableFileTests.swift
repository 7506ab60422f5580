import HawsPosix
import HawsTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The check of every path an operator names (CA bundle, client certificate and key, credentials file, config
/// file): what is wrong with it, in words, before a library opens it.
@Suite("ReadableFile")
struct ReadableFileTests {
    @Test("a readable regular file passes; a missing one, a directory and a fifo are named for what they are")
    func problems() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("ca.pem", "-----BEGIN CERTIFICATE-----\n")
        #expect(ReadableFile.problem(at: file) == nil)
        #expect(ReadableFile.problem(at: directory.file("missing.pem")) == "no such file")
        #expect(ReadableFile.problem(at: file + "/below-a-file") == "no such file")
        #expect(ReadableFile.problem(at: directory.path) == "a directory, not a file")
        let fifo = directory.file("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        // Opening a fifo would block until a writer comes; the check only looks at its type.
        #expect(ReadableFile.problem(at: fifo) == "not a regular file")
    }

    /// root reads every file whatever its mode, so only another user sees the refusal.
    @Test("a file the user may not read is refused", .enabled(if: geteuid() != 0, "root reads every file"))
    func permissionDenied() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.write("key.pem", "secret")
        #expect(chmod(file, 0o200) == 0)
        #expect(ReadableFile.problem(at: file) == "permission denied")
    }
}
