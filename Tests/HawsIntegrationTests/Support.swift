import Foundation
import HawsLab
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// The `haws` executable built next to the test bundle, run as a user would run it.
enum Haws {
    struct Output: Sendable {
        let code: Int32
        let stdout: String
        let stderr: String
    }

    static var binary: String {
        // The test runner lives in the build directory (.build/<triple>/debug/hawsPackageTests.xctest).
        let runner = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: runner).deletingLastPathComponent().appendingPathComponent("haws").path
    }

    static func run(_ arguments: [String], environment: [String: String?] = [:], input: String? = nil) async throws -> Output {
        var env: [Environment.Key: String?] = ["NO_COLOR": "1"]
        for (key, value) in environment { env[Environment.Key(stringLiteral: key)] = value }
        let result = try await Subprocess.run(
            .path(FilePath(binary)), arguments: Arguments(arguments), environment: .inherit.updating(env),
            input: .string(input ?? ""), output: .string(limit: 16 << 20), error: .string(limit: 1 << 20))
        let code: Int32
        switch result.terminationStatus {
        case .exited(let value): code = Int32(value)
        default: code = -1
        }
        return Output(code: code, stdout: result.standardOutput, stderr: result.standardError)
    }
}

enum Repository {
    /// The package root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// Validates a JSON document against a JSON Schema with Python's `jsonschema` (installed by `make setup`).
enum SchemaValidator {
    static func validate(_ json: String, schema: String) async throws -> String? {
        let script = """
            import json, sys, jsonschema
            doc = json.loads(sys.stdin.read())
            schema = json.load(open(sys.argv[1]))
            errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
            for e in errors[:5]: print(list(e.path), e.message)
            sys.exit(1 if errors else 0)
            """
        let result = try await Subprocess.run(
            .name("python3"), arguments: ["-c", script, Repository.root.appendingPathComponent(schema).path],
            input: .string(json), output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        if case .exited(0) = result.terminationStatus { return nil }
        return result.standardOutput + result.standardError
    }
}

extension LabSpec {
    /// `ws_chat` (s1, s2) and `ws_feed`, whose one server f1 passes HAProxy's check but refuses every upgrade: the
    /// live instance the doctor tests need for `probe-failed-while-up`.
    static var chatAndRefusingFeed: LabSpec {
        LabSpec(
            backends: [
                .init("ws_chat", pathPrefix: "/chat", servers: [.init("s1"), .init("s2")]),
                .init("ws_feed", pathPrefix: "/feed", servers: [.init("f1", mode: .refuseUpgrade)]),
            ],
            defaultBackend: "ws_chat")
    }
}
