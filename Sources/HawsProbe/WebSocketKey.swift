/// The `Sec-WebSocket-Key` / `Sec-WebSocket-Accept` pair of RFC 6455 section 4.
///
/// A fresh random key per probe matters: a cache or a broken backend that replays one canned 101 would pass a probe
/// that always sent the same key.
public enum WebSocketKey {
    /// The GUID RFC 6455 appends to the key before hashing.
    public static let magicGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// A new key: 16 random bytes, base64-encoded (24 characters).
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A key from the given generator, so tests can make keys deterministic.
    public static func random(using generator: inout some RandomNumberGenerator) -> String {
        base64((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The `Sec-WebSocket-Accept` a correct server answers to `key`: base64(SHA-1(key + GUID)).
    public static func acceptValue(forKey key: String) -> String {
        base64(SHA1.hash(Array((key + magicGUID).utf8)))
    }

    /// Standard base64 with padding (RFC 4648).
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
