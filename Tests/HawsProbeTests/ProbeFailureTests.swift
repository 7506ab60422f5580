import Foundation
import Testing

@testable import HawsProbe

@Suite("ProbeFailure and ProbeResult encoding")
struct ProbeFailureTests {
    static let all: [ProbeFailure] = [
        .invalidTarget(reason: "bad header"),
        .resolve(host: "ws.example", reason: "no such host"),
        .connectRefused(address: "127.0.0.1:9"),
        .connectTimeout(after: .seconds(2)),
        .connectFailed(reason: "network is unreachable (errno 101)"),
        .tls(reason: "certificate verify failed (CERTIFICATE_VERIFY_FAILED)"),
        .status(code: 502, reason: "Bad Gateway"),
        .missingUpgrade(received: "h2c"),
        .missingConnection(received: nil),
        .badAccept(expected: "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", received: "wrong"),
        .badSubprotocol(received: "mqtt", offered: ["chat"]),
        .badExtension(received: "permessage-deflate", offered: []),
        .pingTimeout(after: .milliseconds(1_500)),
        .pongMismatch(expected: "0001", received: "ffff"),
        .messageMismatch(pattern: "^ok$", received: "line one\nline two"),
        .close(reason: "no close frame from the server within 1 s"),
        .timeout(phase: .upgrade, after: .milliseconds(250)),
        .closedEarly(phase: .ping, reason: "connection reset by peer (errno 104)"),
        .protocolViolation(phase: .upgrade, reason: "not HTTP"),
        .cancelled,
    ]

    @Test("every case has its own stable code, listed in allCodes")
    func codes() {
        let codes = Self.all.map(\.code)
        #expect(Set(codes).count == codes.count)
        #expect(codes == ProbeFailure.allCodes)
    }

    @Test("descriptions are one line and carry the facts")
    func descriptions() {
        for failure in Self.all {
            #expect(!failure.description.contains("\n"), "\(failure.code)")
            #expect(!failure.description.isEmpty)
        }
        #expect(
            ProbeFailure.status(code: 502, reason: "Bad Gateway").description.hasPrefix(
                "server answered HTTP 502 Bad Gateway"
            )
        )
        #expect(ProbeFailure.timeout(phase: .upgrade, after: .milliseconds(250)).description.contains("250 ms"))
        #expect(ProbeFailure.pingTimeout(after: .milliseconds(1_500)).description.contains("1.5 s"))
    }

    @Test("failures round-trip through JSON as flat objects keyed by code")
    func failureCoding() throws {
        for failure in Self.all {
            let data = try JSONEncoder().encode(failure)
            #expect(try JSONDecoder().decode(ProbeFailure.self, from: data) == failure)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(object["code"] as? String == failure.code)
            #expect(object["message"] as? String == failure.description)
        }
    }

    @Test("a result round-trips through JSON, with explicit nulls and millisecond timings")
    func resultCoding() throws {
        let result = ProbeResult(
            target: ProbeTarget(host: "127.0.0.1", port: 8080, path: "/ws", subprotocols: ["chat"]),
            mode: .full,
            failure: .status(code: 400, reason: "Bad Request"),
            timings: ProbeTimings(connect: .microseconds(250), upgrade: .milliseconds(3), total: .milliseconds(4)),
            httpStatus: 400,
            remoteAddress: "127.0.0.1:8080",
            startedAt: Date(timeIntervalSince1970: 1_700_000_000),
            finishedAt: Date(timeIntervalSince1970: 1_700_000_001)
        )
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(result)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(ProbeResult.self, from: data) == result)

        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["passed"] as? Bool == false)
        #expect(object["subprotocol"] is NSNull)
        let timings = try #require(object["timings"] as? [String: Any])
        #expect(timings["connectMs"] as? Double == 0.25)
        #expect(timings["tlsMs"] is NSNull)
    }

    @Test("TLS reasons are made readable")
    func tlsReason() {
        struct Fake: Error, CustomStringConvertible {
            var description: String {
                "handshakeFailed(sslError([Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED]))"
            }
        }
        #expect(ProbeErrorClassifier.tlsReason(Fake()) == "certificate verify failed (CERTIFICATE_VERIFY_FAILED)")
    }
}
