import HawsCore

/// The `Sec-WebSocket-Key` / `Sec-WebSocket-Accept` pair of RFC 6455 section 4.
///
/// A fresh random key per probe matters: a cache or a broken backend that replays one canned 101 would pass a probe
/// that always sent the same key.
public enum WebSocketKey {
    /// The GUID RFC 6455 appends to the key before hashing.
    public static let magicGUID = RFC6455.guid

    /// A new key: 16 random bytes, base64-encoded (24 characters).
    public static func random() -> String {
        self.key(ProbeEntropy.bytes(16))
    }

    /// A key from the given generator, so tests can make keys deterministic.
    public static func random(using generator: inout some RandomNumberGenerator) -> String {
        self.key((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The key for 16 nonce bytes.
    static func key(_ nonce: [UInt8]) -> String {
        RFC6455.base64(nonce)
    }

    /// The `Sec-WebSocket-Accept` a correct server answers to `key`: base64(SHA-1(key + GUID)).
    public static func acceptValue(forKey key: String) -> String {
        RFC6455.acceptValue(forKey: key)
    }
}
