/// The random bytes of one probe (key, ping payload, frame masks), drawn from the system 8 bytes at a time.
///
/// `UInt8.random(in:)` asks the kernel once per byte on Linux (`getrandom`), and a probe needs 48 bytes: that was 34
/// system calls per handshake, more than the TCP connection itself makes. `SystemRandomNumberGenerator.next()`
/// fills a `UInt64` per call.
enum ProbeEntropy {
    /// `count` bytes from the system's cryptographic generator.
    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }
}
