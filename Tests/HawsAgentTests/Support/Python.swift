import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// Python checks the tests lean on: `jsonschema` for the NDJSON schema, `prometheus_client`'s parser for
/// `/metrics`. Both are installed by `make setup`; a missing module fails the test with the fix, it never
/// skips.
enum Python {
    struct Result {
        let code: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ script: String, arguments: [String] = [], input: String = "") async throws -> Result {
        let result = try await Subprocess.run(
            .name("python3"), arguments: Arguments(["-c", script] + arguments), input: .string(input),
            output: .string(limit: 64 << 20), error: .string(limit: 1 << 20))
        let code: Int32 = if case .exited(let value) = result.terminationStatus { Int32(value) } else { -1 }
        return Result(code: code, stdout: result.standardOutput, stderr: result.standardError)
    }

    /// Validates every line of `ndjson` against `Schemas/agent.schema.json`; returns the problems, or nil.
    static func schemaProblems(ndjson: String) async throws -> String? {
        let script = """
            import json, sys
            try:
                import jsonschema
            except ImportError:
                print("python3 module jsonschema is missing: run `make setup` (pip install jsonschema)"); sys.exit(2)
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.Draft202012Validator(schema)
            problems = []
            for number, line in enumerate(sys.stdin.read().splitlines(), 1):
                for error in validator.iter_errors(json.loads(line)):
                    problems.append(f"line {number}: {list(error.absolute_path)} {error.message[:300]}")
            print("\\n".join(problems[:10]))
            sys.exit(1 if problems else 0)
            """
        let result = try await run(script, arguments: [Repository.path("Schemas/agent.schema.json")], input: ndjson)
        return result.code == 0 ? nil : result.stdout + result.stderr
    }

    /// Parses exposition text with `prometheus_client`'s parser: every sample as `name{labels} value`,
    /// labels sorted, one per line; throws with the parser's message when it refuses the text.
    static func parseExposition(_ text: String) async throws -> [String: Double] {
        let script = """
            import json, sys
            try:
                from prometheus_client.parser import text_string_to_metric_families
            except ImportError:
                print("python3 module prometheus_client is missing: run `make setup` (pip install prometheus_client)")
                sys.exit(2)
            samples = {}
            for family in text_string_to_metric_families(sys.stdin.read()):
                for sample in family.samples:
                    labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                    samples[f"{sample.name}{{{labels}}}"] = sample.value
            print(json.dumps(samples))
            """
        let result = try await run(script, input: text)
        guard result.code == 0 else {
            throw PythonError(
                description: "prometheus_client refused the exposition: \(result.stdout) \(result.stderr)")
        }
        let decoded = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Double]
        return decoded ?? [:]
    }
}

struct PythonError: Error, CustomStringConvertible {
    let description: String
}

enum Repository {
    /// The package root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

extension Python {
    struct HTTPAnswer: Decodable {
        let status: Int
        let contentType: String?
        let body: String
    }

    /// One HTTP request with Python's urllib (an independent client, not the code under test).
    static func fetch(_ url: String, method: String = "GET") async throws -> HTTPAnswer {
        let script = """
            import json, sys, urllib.request, urllib.error
            request = urllib.request.Request(sys.argv[1], method=sys.argv[2])
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    status, headers, body = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as error:
                status, headers, body = error.code, error.headers, error.read()
            print(json.dumps({"status": status, "contentType": headers.get("Content-Type"), "body": body.decode()}))
            """
        let result = try await run(script, arguments: [url, method])
        guard result.code == 0 else { throw PythonError(description: "fetch \(url) failed: \(result.stderr)") }
        return try JSONDecoder().decode(HTTPAnswer.self, from: Data(result.stdout.utf8))
    }
}
