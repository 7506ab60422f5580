import Foundation
import Testing

@testable import HawsClient

/// The classification of connect failures by errno, tested without sockets: tests run as root, and the
/// kernel never refuses root with `EACCES`.
@Suite struct RuntimeAPIErrorTests {
    let socket = RuntimeEndpoint.unix(path: "/run/haproxy/admin.sock")

    @Test func missingFile() {
        let error = RuntimeAPIError.connectFailure(errno: ENOENT, endpoint: socket) { nil }
        #expect(error.kind == .socketNotFound)
        #expect(error.description.contains("/run/haproxy/admin.sock"))
        #expect(error.description.contains("stats socket /run/haproxy/admin.sock mode 660 level admin"))
    }

    @Test func refusedIsAStaleSocket() {
        let error = RuntimeAPIError.connectFailure(errno: ECONNREFUSED, endpoint: socket) {
            SocketFileStatus(owner: "haproxy", group: "haproxy", mode: 0o660, isSocket: true)
        }
        #expect(error.kind == .connectionRefused)
        #expect(error.description.contains("stale socket file of a dead HAProxy?"))
    }

    @Test func refusedOnARegularFileSaysItIsNotASocket() {
        let error = RuntimeAPIError.connectFailure(errno: ECONNREFUSED, endpoint: socket) {
            SocketFileStatus(owner: "root", group: "root", mode: 0o644, isSocket: false)
        }
        #expect(error.kind == .notASocket)
    }

    @Test func permissionDeniedNamesWhoMayConnect() {
        let error = RuntimeAPIError.connectFailure(errno: EACCES, endpoint: socket) {
            SocketFileStatus(owner: "haproxy", group: "haproxy", mode: 0o660)
        }
        #expect(error.kind == .socketPermissionDenied)
        #expect(
            error.description
                == "permission denied on /run/haproxy/admin.sock (owner haproxy, group haproxy, mode 660): run haws "
                + "as root or haproxy, or as a member of group haproxy (usermod -aG haproxy <user>, then log in again)"
        )
    }

    @Test func permissionDeniedOnOwnerOnlySocketSuggestsGroupMode() {
        let error = RuntimeAPIError.connectFailure(errno: EACCES, endpoint: socket) {
            SocketFileStatus(owner: "haproxy", group: "haproxy", mode: 0o600)
        }
        #expect(error.description.contains("mode 600"))
        #expect(error.description.contains("mode 660"))
    }

    @Test func permissionDeniedWithoutStatBlamesTheDirectory() {
        let error = RuntimeAPIError.connectFailure(errno: EACCES, endpoint: socket) { nil }
        #expect(error.kind == .socketPermissionDenied)
        #expect(error.description.contains("directory"))
    }

    @Test func otherErrnoIsNamed() {
        let error = RuntimeAPIError.connectFailure(errno: ENETUNREACH, endpoint: .tcp(host: "10.0.0.1", port: 9999)) {
            nil
        }
        #expect(error.kind == .connectFailed)
        #expect(error.description.contains("tcp://10.0.0.1:9999"))
        #expect(error.description.contains("unreachable"))
    }

    @Test func levelTooLowShowsTheLineToAdd() {
        let read = RuntimeAPIError.levelTooLow("show sess", on: socket)
        #expect(read.kind == .levelTooLow)
        #expect(read.description.contains("level operator"))
        #expect(read.description.contains("stats socket /run/haproxy/admin.sock mode 660 level operator"))
        let write = RuntimeAPIError.levelTooLow("set server be/s1 state drain", on: .tcp(host: "127.0.0.1", port: 9999))
        #expect(write.description.contains("level admin"))
        #expect(write.description.contains("stats socket ipv4@127.0.0.1:9999 level admin"))
    }

    @Test func everyMessageIsOneLine() {
        let messages = [
            RuntimeAPIError.invalidCommand("show\nsess", on: socket, reason: "it contains a line break"),
            .timeout("show stat", on: socket, after: .seconds(5)),
            .closedWithoutAnswer("show stat", on: socket),
            .connectionReset("show stat", on: socket, afterBytes: 10),
            .responseTooLarge("show stat", on: socket, limit: 256 << 20),
            .unknownCommand("frob", on: socket, answer: "Unknown command, but maybe one of the following ones"),
        ]
        for error in messages {
            #expect(!error.description.contains("\n"), "\(error.description)")
            #expect(error.description.contains("/run/haproxy/admin.sock"))
        }
        #expect(messages[1].description.contains("within 5s"))
        #expect(messages[4].description.contains("256 MB"))
    }
}
