import HawsCore
import NIOHTTP1

/// Judges a server's answer to our upgrade request by RFC 6455 section 4.1, the checks a browser makes.
///
/// HAProxy's `http-check expect status 101` stops at the status line, so a backend with a wrong accept or an
/// unrequested extension stays UP while every browser fails. This is the part of the probe that catches it. It is a
/// pure value (input: what we sent and what came back) so every failure class is tested without sockets, and the
/// channel handlers only feed it the response head.
public struct HandshakeVerifier: Sendable, Hashable {
    /// The `Sec-WebSocket-Key` we sent.
    public let key: String
    /// The subprotocols we offered, in order.
    public let offeredSubprotocols: [String]
    /// The extensions we offered (full offers such as `permessage-deflate; client_max_window_bits`).
    public let offeredExtensions: [String]

    public init(key: String, offeredSubprotocols: [String] = [], offeredExtensions: [String] = []) {
        self.key = key
        self.offeredSubprotocols = offeredSubprotocols
        self.offeredExtensions = offeredExtensions
    }

    /// The accept value a correct server returns for our key.
    public var expectedAccept: String {
        WebSocketKey.acceptValue(forKey: self.key)
    }

    /// Checks the response head in the order RFC 6455 lists the client's duties, so the first fault found is the
    /// one reported.
    public func verify(status: Int, reason: String = "", headers: HTTPHeaders) -> HandshakeVerdict {
        guard status == 101 else {
            return .rejected(.status(code: status, reason: reason))
        }
        let upgrade = headers[canonicalForm: "Upgrade"]
        guard upgrade.contains(where: { $0.lowercased() == "websocket" }) else {
            return .rejected(.missingUpgrade(received: Self.joined(headers["Upgrade"])))
        }
        let connection = headers[canonicalForm: "Connection"]
        guard connection.contains(where: { $0.lowercased() == "upgrade" }) else {
            return .rejected(.missingConnection(received: Self.joined(headers["Connection"])))
        }
        let accepts = headers["Sec-WebSocket-Accept"].map { $0.trimmingOptionalWhitespace }
        let expected = self.expectedAccept
        guard accepts.count == 1, accepts[0] == expected else {
            return .rejected(.badAccept(expected: expected, received: Self.joined(accepts)))
        }

        let offeredExtensionNames = Set(self.offeredExtensions.map { Self.extensionName($0).lowercased() })
        let extensions = headers[canonicalForm: "Sec-WebSocket-Extensions"].map(String.init)
        for accepted in extensions where !offeredExtensionNames.contains(Self.extensionName(accepted).lowercased()) {
            return .rejected(.badExtension(received: accepted, offered: self.offeredExtensions))
        }

        let selected = headers[canonicalForm: "Sec-WebSocket-Protocol"].map(String.init)
        if selected.count > 1 {
            return .rejected(
                .badSubprotocol(received: selected.joined(separator: ", "), offered: self.offeredSubprotocols)
            )
        }
        if let subprotocol = selected.first, !self.offeredSubprotocols.contains(subprotocol) {
            return .rejected(.badSubprotocol(received: subprotocol, offered: self.offeredSubprotocols))
        }
        return .accepted(HandshakeAgreement(subprotocol: selected.first, extensions: extensions))
    }

    /// Convenience for a decoded NIO response head.
    public func verify(_ head: HTTPResponseHead) -> HandshakeVerdict {
        self.verify(status: Int(head.status.code), reason: head.status.reasonPhrase, headers: head.headers)
    }

    /// The extension token of an offer or answer: `permessage-deflate; x=1` gives `permessage-deflate`.
    static func extensionName(_ item: String) -> String {
        let name = item.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(name).trimmingOptionalWhitespace
    }

    private static func joined(_ values: [String]) -> String? {
        values.isEmpty ? nil : values.joined(separator: ", ")
    }
}

/// The verifier's answer: what was agreed, or the first fault.
public enum HandshakeVerdict: Sendable, Hashable {
    case accepted(HandshakeAgreement)
    case rejected(ProbeFailure)
}

/// What the server agreed to in a valid 101.
public struct HandshakeAgreement: Sendable, Hashable {
    /// The subprotocol the server selected, if any.
    public var subprotocol: String?
    /// The extensions the server enabled (all of them offered by us).
    public var extensions: [String]

    public init(subprotocol: String? = nil, extensions: [String] = []) {
        self.subprotocol = subprotocol
        self.extensions = extensions
    }
}
