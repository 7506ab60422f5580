#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension String {
    /// C's `printf` formatting (`"%.1fms"`, `"%02d:%02d"`), through the C library's `vsnprintf`.
    ///
    /// `String(format:)` lives in Foundation proper, and loading Foundation (with its ICU data) costs every
    /// haws process about 8 MB of resident memory; haws links only FoundationEssentials. Only plain C
    /// conversions are meant here (no `%@`): numbers, as the tables and durations need them.
    public init(printf format: String, _ arguments: any CVarArg...) {
        var capacity = 64
        while true {
            let (text, needed) = withVaList(arguments) { list in
                withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
                    let needed = Int(vsnprintf(buffer.baseAddress!, capacity, format, list))
                    let text = needed >= 0 && needed < capacity ? String(cString: buffer.baseAddress!) : nil
                    return (text, needed)
                }
            }
            if let text { self = text; return }
            // A negative result is an encoding error of the format itself; nothing better to show.
            guard needed >= 0 else { self = format; return }
            capacity = needed + 1
        }
    }
}
