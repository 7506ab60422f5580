/// RFC 6455 handshake arithmetic shared by the lab's raw backends and the tests that check them.
public enum WebSocketHandshake {
    /// The GUID that RFC 6455 section 1.3 appends to the client's key.
    public static let magicGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// The `Sec-WebSocket-Accept` value a correct server returns for `key`.
    public static func acceptValue(forKey key: String) -> String {
        base64(SHA1Digest.hash(Array((key + magicGUID).utf8)))
    }

    /// A plausible but wrong accept value: the classic bug of hashing the key without the GUID.
    ///
    /// It is well-formed base64 of the right length, so only a client that checks the value notices.
    public static func wrongAcceptValue(forKey key: String) -> String {
        base64(SHA1Digest.hash(Array(key.utf8)))
    }

    /// Standard base64 with padding (RFC 4648), enough for 20-byte digests and 16-byte keys.
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
