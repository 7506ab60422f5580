import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import HawsClient
import HawsTestSupport

/// The runtime API client against fake HAProxies on real sockets (Unix sockets in a temp dir, TCP on loopback).
@Suite struct RuntimeAPIClientTests {
    /// Answers like HAProxy 2.6 on a `level user` socket.
    static let userLevel: @Sendable (String) -> String = { command in
        switch command {
        case "show info": return "Name: HAProxy\nVersion: 2.6.12\nPid: 42\n\n"
        case "show sess", "set server ws_chat/s1 state drain": return "Permission denied\n\n"
        case "frob": return "Unknown command, but maybe one of the following ones is a better match:\n  help\n\n"
        case "set server ws_chat/nosuch state drain": return "No such server.\n\n"
        case "show large": return RuntimeAPIClientTests.large
        default: return "\n"
        }
    }

    /// An answer of many chunks (400 KB), with every byte value of a CSV in it, ended by HAProxy's empty line.
    static let large = (0..<8_000).map { #"be_\#($0 % 97),s\#($0),0,1,"UP, ""x""",\#($0 * 7)"# + "\n" }.joined() + "\n"

    @Test func sendsOneLineAndReadsTheWholeAnswer() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await FakeRuntimeServer.unix(
            path: directory.file("admin.sock"),
            behaviour: .answer(Self.userLevel)
        )
        let client = RuntimeAPIClient(endpoint: .unix(path: directory.file("admin.sock")))

        let answer = try await client.send("show info")
        #expect(answer == "Name: HAProxy\nVersion: 2.6.12\nPid: 42\n\n")
        #expect(server.commands == ["show info"])
        await server.close()
    }

    @Test func haproxyErrorTextsAreReturnedAsData() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let server = try await FakeRuntimeServer.unix(
            path: directory.file("admin.sock"),
            behaviour: .answer(Self.userLevel)
        )
        let client = RuntimeAPIClient(endpoint: .unix(path: directory.file("admin.sock")))

        let answer = try await client.send("set server ws_chat/nosuch state drain")
        #expect(RuntimeAPIResponse.errorMessage(of: answer) == "No such server.")
        let success = try await client.send("set server ws_chat/s1 weight 50")
        #expect(RuntimeAPIResponse.errorMessage(of: success) == nil)
        await server.close()
    }

    @Test func permissionDeniedAndUnknownCommandAreTyped() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("user.sock")
        let server = try await FakeRuntimeServer.unix(path: path, behaviour: .answer(Self.userLevel))
        let client = RuntimeAPIClient(endpoint: .unix(path: path))

        let denied = await #expect(throws: RuntimeAPIError.self) { try await client.send("show sess") }
        #expect(denied?.kind == .levelTooLow)
        #expect(denied?.description.contains("level operator") == true)
        #expect(denied?.description.contains("stats socket \(path) mode 660 level operator") == true)

        let unknown = await #expect(throws: RuntimeAPIError.self) { try await client.send("frob") }
        #expect(unknown?.kind == .unknownCommand)
        #expect(unknown?.description.contains("Unknown command") == true)
        await server.close()
    }

    /// `sendForBytes` (what `show stat` is read with) returns the same answer as bytes and types the same
    /// refusals, found in the answer's head.
    @Test func bytesAnswerMatchesTheStringAnswerAndTypesRefusals() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("user.sock")
        let server = try await FakeRuntimeServer.unix(path: path, behaviour: .answer(Self.userLevel))
        let client = RuntimeAPIClient(endpoint: .unix(path: path))

        let bytes = try await client.sendForBytes("show info")
        #expect(bytes == Array(try await client.send("show info").utf8))
        // Collected contiguously as it arrives, with no size hint, a hint too small and one about right.
        for hint in [0, 1_000, 400_000] {
            let large = try await client.sendForBytes("show large", expectedSize: hint)
            #expect(large == Array(Self.large.utf8), "hint \(hint)")
        }
        let denied = await #expect(throws: RuntimeAPIError.self) { try await client.sendForBytes("show sess") }
        #expect(denied?.kind == .levelTooLow)
        let unknown = await #expect(throws: RuntimeAPIError.self) { try await client.sendForBytes("frob") }
        #expect(unknown?.kind == .unknownCommand)
        let smuggled = await #expect(throws: RuntimeAPIError.self) {
            try await client.sendForBytes("show stat\nshutdown sessions server be/s1")
        }
        #expect(smuggled?.kind == .invalidCommand)
        await server.close()
    }

    @Test func batchIsOneLineAndNamesTheDeniedCommand() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("admin.sock")
        let server = try await FakeRuntimeServer.unix(
            path: path,
            behaviour: .answer { line in
                line.split(separator: ";").map { command in
                    command.hasPrefix("shutdown")
                        ? "Permission denied\n\n" : command.contains("nosuch") ? "No such server.\n\n" : "\n"
                }.joined()
            }
        )
        let client = RuntimeAPIClient(endpoint: .unix(path: path))

        let output = try await client.send(batch: ["set server be/s1 state drain", "set server be/nosuch state drain"])
        #expect(server.commands == ["set server be/s1 state drain;set server be/nosuch state drain"])
        #expect(
            RuntimeAPIResponse.answers(ofBatch: output).map(RuntimeAPIResponse.errorMessage(of:)) == [
                nil, "No such server.",
            ]
        )

        let denied = await #expect(throws: RuntimeAPIError.self) {
            try await client.send(batch: ["set server be/s1 state drain", "shutdown sessions server be/s1"])
        }
        #expect(denied?.kind == .levelTooLow)
        #expect(denied?.description.contains("'shutdown sessions server be/s1'") == true)
        await server.close()
    }

    @Test(arguments: ["show stat\nshutdown sessions server be/s1", "show stat\r", "", "  ", "show\u{0}stat"])
    func refusesCommandsThatWouldSmuggleAnotherOne(command: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("admin.sock")
        let server = try await FakeRuntimeServer.unix(path: path, behaviour: .answer(Self.userLevel))
        let client = RuntimeAPIClient(endpoint: .unix(path: path))

        let error = await #expect(throws: RuntimeAPIError.self) { try await client.send(command) }
        #expect(error?.kind == .invalidCommand)
        let batchError = await #expect(throws: RuntimeAPIError.self) {
            try await client.send(batch: ["show info", command])
        }
        #expect(batchError?.kind == .invalidCommand)
        #expect(server.acceptedConnections == 0)
        await server.close()
    }

    @Test func batchRefusesSemicolonsInsideACommand() async throws {
        let client = RuntimeAPIClient(endpoint: .unix(path: "/nonexistent.sock"))
        let error = await #expect(throws: RuntimeAPIError.self) {
            try await client.send(batch: ["show info;show sess"])
        }
        #expect(error?.kind == .invalidCommand)
        let empty = await #expect(throws: RuntimeAPIError.self) { try await client.send(batch: []) }
        #expect(empty?.kind == .invalidCommand)
    }

    @Test func missingSocketFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let client = RuntimeAPIClient(endpoint: .unix(path: directory.file("admin.sock")))
        let error = await #expect(throws: RuntimeAPIError.self) { try await client.send("show info") }
        #expect(error?.kind == .socketNotFound)
        #expect(error?.description.contains(directory.file("admin.sock")) == true)
    }

    @Test func staleSocketFileIsConnectionRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("admin.sock")
        try StaleSocketFile.create(at: path)
        #expect(FileManager.default.fileExists(atPath: path))

        let client = RuntimeAPIClient(endpoint: .unix(path: path))
        let error = await #expect(throws: RuntimeAPIError.self) { try await client.send("show info") }
        #expect(error?.kind == .connectionRefused)
        #expect(error?.description.contains("stale socket file of a dead HAProxy?") == true)
    }

    @Test func regularFileIsNotASocket() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("admin.sock", "not a socket")
        let error = await #expect(throws: RuntimeAPIError.self) {
            try await RuntimeAPIClient(endpoint: .unix(path: path)).send("show info")
        }
        #expect(error?.kind == .notASocket)
    }

    /// Root is never refused by the kernel; the classification itself is tested in `RuntimeAPIErrorTests`.
    @Test(.enabled(if: geteuid() != 0, "root bypasses file permissions"))
    func unreadableSocketIsPermissionDenied() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("admin.sock")
        let server = try await FakeRuntimeServer.unix(path: path, behaviour: .answer(Self.userLevel))
        defer { Task { await server.close() } }
        #expect(chmod(path, 0) == 0)

        let error = await #expect(throws: RuntimeAPIError.self) {
            try await RuntimeAPIClient(endpoint: .unix(path: path)).send("show info")
        }
        #expect(error?.kind == .socketPermissionDenied)
        #expect(error?.description.contains("mode 0") == true)
    }

    @Test func hungHAProxyFailsAtTheDeadlineAndTheSocketIsClosed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("admin.sock")
        let server = try await FakeRuntimeServer.unix(path: path, behaviour: .hang)
        let client = RuntimeAPIClient(endpoint: .unix(path: path), timeout: .milliseconds(500))

        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: RuntimeAPIError.self) { try await client.send("show stat") }
        let elapsed = clock.now - start
        #expect(error?.kind == .timeout)
        #expect(error?.description.contains("within 500ms") == true)
        #expect(elapsed >= .milliseconds(450))
        #expect(elapsed < .milliseconds(2000))
        #expect(server.commands == ["show stat"])
        // The client closed its end: no descriptor left behind.
        #expect(await server.waitUntilAllConnectionsClosed())
        await server.close()
    }

    @Test func manyHungCallsAllEndAndLeaveNoConnectionOpen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("admin.sock")
        let server = try await FakeRuntimeServer.unix(path: path, behaviour: .hang)
        let client = RuntimeAPIClient(endpoint: .unix(path: path), timeout: .milliseconds(300))

        let kinds = await withTaskGroup(of: RuntimeAPIError.Kind?.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do {
                        _ = try await client.send("show stat")
                        return nil
                    } catch let error as RuntimeAPIError {
                        return error.kind
                    } catch {
                        return nil
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(kinds.count == 20)
        #expect(kinds.allSatisfy { $0 == .timeout })
        #expect(await server.waitUntilAllConnectionsClosed(accepted: 20))
        #expect(server.acceptedConnections == 20)
        await server.close()
    }

    @Test func cancellationEndsTheCallAndClosesTheSocket() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("admin.sock")
        let server = try await FakeRuntimeServer.unix(path: path, behaviour: .hang)
        let client = RuntimeAPIClient(endpoint: .unix(path: path), timeout: .seconds(30))

        let call = Task { try await client.send("show stat") }
        #expect(await server.waitUntil { $0.commands == ["show stat"] })  // connected, sent, waiting
        let clock = ContinuousClock()
        let start = clock.now
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(clock.now - start < .seconds(2))
        #expect(await server.waitUntilAllConnectionsClosed(accepted: 1))
        await server.close()
    }

    @Test func closedWithoutAnswer() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("admin.sock")
        let server = try await FakeRuntimeServer.unix(path: path, behaviour: .closeImmediately)
        let error = await #expect(throws: RuntimeAPIError.self) {
            try await RuntimeAPIClient(endpoint: .unix(path: path)).send("show info")
        }
        #expect(error?.kind == .closedWithoutAnswer)
        await server.close()
    }

    /// HAProxy ends every answer with an empty line (a write command's empty answer is that line alone); a close
    /// anywhere else is an answer cut off, whichever way it is read.
    @Test(arguments: ["# pxname,svname\nbe,s1", "be,s1,UP\n", "No such server.\n", "x"])
    func answerCutOffBeforeItsEmptyLine(answer: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("admin.sock")
        let server = try await FakeRuntimeServer.unix(path: path, behaviour: .answer { _ in answer })
        let client = RuntimeAPIClient(endpoint: .unix(path: path))
        let string = await #expect(throws: RuntimeAPIError.self) { try await client.send("show stat") }
        #expect(string?.kind == .cutOff)
        #expect(string?.description.contains("closed the connection \(answer.utf8.count) bytes into its answer") == true)
        let bytes = await #expect(throws: RuntimeAPIError.self) { try await client.sendForBytes("show stat") }
        #expect(bytes?.kind == .cutOff)
        let scanned = await #expect(throws: RuntimeAPIError.self) { try await client.scanSessions("show sess all") }
        #expect(scanned?.kind == .cutOff)
        await server.close()
    }

    @Test(arguments: ["\n", "\n\n", "No such server.\n\n", "be,s1,UP\n\n"])
    func completeAnswersEndWithTheEmptyLine(answer: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("admin.sock")
        let server = try await FakeRuntimeServer.unix(path: path, behaviour: .answer { _ in answer })
        #expect(try await RuntimeAPIClient(endpoint: .unix(path: path)).send("set server be/s1 state drain") == answer)
        await server.close()
    }

    @Test func resetMidAnswer() async throws {
        let server = try await FakeRuntimeServer.tcp(behaviour: .resetAfter(bytes: 1000))
        let client = RuntimeAPIClient(endpoint: .tcp(host: "127.0.0.1", port: server.port))
        let error = await #expect(throws: RuntimeAPIError.self) { try await client.send("show stat") }
        #expect(error?.kind == .connectionReset)
        await server.close()
    }

    @Test func answerOverTheSizeCapIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("admin.sock")
        let server = try await FakeRuntimeServer.unix(
            path: path,
            behaviour: .answer { _ in String(repeating: "x", count: 100_000) }
        )
        let client = RuntimeAPIClient(endpoint: .unix(path: path), maximumResponseBytes: 10_000)
        let error = await #expect(throws: RuntimeAPIError.self) { try await client.send("show stat json") }
        #expect(error?.kind == .responseTooLarge)
        #expect(error?.description.contains("10000 bytes") == true)
        await server.close()
    }

    @Test func tcpEndpointAndRefusedPort() async throws {
        let server = try await FakeRuntimeServer.tcp(behaviour: .answer(Self.userLevel))
        let port = server.port
        let client = RuntimeAPIClient(endpoint: try RuntimeEndpoint(parsing: "ipv4@127.0.0.1:\(port)"))
        #expect(try await client.send("show info").contains("Pid: 42"))
        let byName = RuntimeAPIClient(endpoint: .tcp(host: "localhost", port: port))
        #expect(try await byName.send("show info").contains("Pid: 42"))
        await server.close()

        let reserved = try ReservedPort()
        let refused = RuntimeAPIClient(endpoint: .tcp(host: "127.0.0.1", port: reserved.port))
        let error = await #expect(throws: RuntimeAPIError.self) { try await refused.send("show info") }
        #expect(error?.kind == .connectionRefused)
        #expect(error?.description.contains("tcp://127.0.0.1:\(reserved.port)") == true)
    }

    @Test func unknownHostName() async throws {
        let client = RuntimeAPIClient(endpoint: .tcp(host: "no-such-host.invalid", port: 9999), timeout: .seconds(3))
        let error = await #expect(throws: RuntimeAPIError.self) { try await client.send("show info") }
        #expect(error?.kind == .connectFailed)
        #expect(error?.description.contains("no-such-host.invalid") == true)
    }
}
