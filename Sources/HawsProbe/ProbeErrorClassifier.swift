import NIOCore
import NIOHTTP1
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sorts the errors NIO raises into the few kinds the state machine tells apart, and words them for operators.
///
/// The failure class depends on where an error comes from (TLS, the socket, the peer's bytes), not on its Swift
/// type name, and NIO's own descriptions (`handshakeFailed(NIOSSL.BoringSSLError.sslError([...]))`) are not
/// something to put in front of an operator.
enum ProbeErrorClassifier {
    static func kind(of error: any Error) -> ProbeStateMachine.ErrorKind {
        switch error {
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError, is NIOSSLCloseTimedOutError:
            return .tls(self.tlsReason(error))
        case let error as IOError:
            return .io(self.ioReason(error))
        case ChannelError.eof, ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed, ChannelError.outputClosed:
            return .io("the connection closed")
        // The handshake and the frames are read by the probe's own decoders (no NIO upgrader, no NIOWebSocket):
        // what the peer sent wrong arrives as an HTTP parser or decoder error.
        case is HTTPParserError, is ByteToMessageDecoderError:
            return .malformed("\(error)")
        default:
            return .io("\(error)")
        }
    }

    static func connectError(_ error: any Error, address: SocketAddress) -> ProbeStateMachine.ConnectError {
        switch error {
        case ChannelError.connectTimeout:
            return .timedOut
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            return .refused(address: self.describe(address))
        case let error as IOError where error.errnoCode == ETIMEDOUT:
            return .timedOut
        case let error as IOError:
            return .other(self.ioReason(error))
        default:
            return .other("\(error)")
        }
    }

    /// `127.0.0.1:8080` or `[::1]:8080`.
    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else {
            return "\(address)"
        }
        return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// "connection reset by peer (errno 104)" rather than NIO's `read(descriptor:pointer:size:): ...`.
    static func ioReason(_ error: IOError) -> String {
        let message = String(cString: strerror(error.errnoCode)).lowercased()
        return "\(message) (errno \(error.errnoCode))"
    }

    /// BoringSSL's reason token made readable: `CERTIFICATE_VERIFY_FAILED` becomes "certificate verify failed",
    /// with the raw error kept in parentheses for searching.
    static func tlsReason(_ error: any Error) -> String {
        let raw = "\(error)"
        if case NIOSSLError.uncleanShutdown = error {
            return "the server closed the connection without a TLS close_notify"
        }
        let marker = "OPENSSL_internal:"
        guard let range = raw.firstRange(of: marker) else {
            return ProbeFailure.excerpt(raw, limit: 200)
        }
        let token = raw[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard !token.isEmpty else {
            return ProbeFailure.excerpt(raw, limit: 200)
        }
        return String(token.lowercased().map { $0 == "_" ? " " : $0 }) + " (\(token))"
    }
}
