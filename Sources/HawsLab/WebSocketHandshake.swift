import HawsCore

/// RFC 6455 handshake arithmetic shared by the lab's raw backends and the tests that check them.
public enum WebSocketHandshake {
    /// The GUID that RFC 6455 section 1.3 appends to the client's key.
    public static let magicGUID = RFC6455.guid

    /// The `Sec-WebSocket-Accept` value a correct server returns for `key`.
    public static func acceptValue(forKey key: String) -> String {
        RFC6455.acceptValue(forKey: key)
    }

    /// A plausible but wrong accept value: the classic bug of hashing the key without the GUID.
    ///
    /// It is well-formed base64 of the right length, so only a client that checks the value notices.
    public static func wrongAcceptValue(forKey key: String) -> String {
        RFC6455.base64(SHA1.hash(Array(key.utf8)))
    }

}
