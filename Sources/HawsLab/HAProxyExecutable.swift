import Subprocess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Which HAProxy binary the lab and the tests run: the one home of that choice.
///
/// `make test` runs the HAProxy-facing suites once on Debian's /usr/sbin/haproxy and once more with
/// `HAWS_HAPROXY` pointing at a HAProxy 3.0 built from Debian 13's source package; the one launcher, the lab's
/// `HAProxyProcess`, resolves the binary here.
public enum HAProxyExecutable {
    /// The environment variable that names the binary to run.
    public static let environmentVariable = "HAWS_HAPROXY"

    /// Whether `HAWS_HAPROXY` is set (to anything but the empty string).
    public static var isChosenByEnvironment: Bool {
        guard let value = getenv(environmentVariable) else {
            return false
        }
        return value.pointee != 0
    }

    /// Whether the tests that run HAProxy can run: a binary was found, or `HAWS_HAPROXY` names one (then a wrong path
    /// fails those tests instead of skipping them).
    public static var isAvailable: Bool { find() != nil || isChosenByEnvironment }

    /// Where to look, in order: `explicit` alone when given, else `HAWS_HAPROXY` alone when set, else /usr/sbin,
    /// /usr/local/sbin, then every `PATH` entry.
    public static func candidates(explicit: String? = nil) -> [String] {
        if let explicit {
            return [explicit]
        }
        if isChosenByEnvironment, let fromEnvironment = getenv(environmentVariable) {
            // A set variable is the only candidate: a typo must fail loudly, not fall back to another version.
            return [String(cString: fromEnvironment)]
        }
        var candidates = ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"]
        if let path = getenv("PATH") {
            candidates += String(cString: path).split(separator: ":").map { "\($0)/haproxy" }
        }
        return candidates
    }

    /// The first executable candidate, or nil.
    public static func find(explicit: String? = nil) -> String? {
        candidates(explicit: explicit).first { access($0, X_OK) == 0 }
    }

    /// The first executable candidate; throws `LabError.Code.executableNotFound` naming every place looked at.
    public static func resolve(explicit: String? = nil) throws(LabError) -> String {
        guard let found = find(explicit: explicit) else {
            let looked = candidates(explicit: explicit)
            throw LabError(
                .executableNotFound,
                "no executable haproxy in \(looked); install Debian's haproxy or set \(environmentVariable)"
            )
        }
        return found
    }

    /// The version `executable -v` prints (`3.0.11-9e587df`, `2.6.12-1+deb12u4`): the spelling `show info` reports
    /// as `Version`, so a test can check it talks to the binary it started.
    public static func version(of executable: String) async throws -> String {
        let result: ExecutionResult<Void, StringOutput<UTF8>, StringOutput<UTF8>>
        do {
            result = try await Subprocess.run(
                .path(FilePath(executable)),
                arguments: ["-v"],
                output: .string(limit: 64 * 1024),
                error: .string(limit: 64 * 1024)
            )
        } catch {
            throw LabError(.executableNotFound, "cannot run \(executable) -v: \(error)")
        }
        let output = result.standardOutput
        // "HAProxy version 3.0.11-9e587df 2025/06/02 - https://haproxy.org/"
        let words = output.split(separator: "\n").first?.split(separator: " ") ?? []
        guard words.count >= 3, words[0] == "HAProxy", words[1] == "version" else {
            throw LabError(.executableNotFound, "\(executable) -v printed no HAProxy version: \(output.prefix(200))")
        }
        return String(words[2])
    }
}
