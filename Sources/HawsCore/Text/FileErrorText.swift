#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The short reason of a file-system error, for one-line messages: "No such file or directory",
/// "Permission denied".
///
/// FoundationEssentials' `FileManager` throws a `CocoaError` whose printed form is a dump of its
/// user-info dictionary, and `localizedDescription` needs Foundation proper; the POSIX error it wraps
/// says what an operator needs.
public func fileErrorReason(_ error: any Error) -> String {
    if let cocoa = error as? CocoaError {
        if let posix = cocoa.userInfo["NSUnderlyingError"] as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        return "file system error \(cocoa.code.rawValue)"
    }
    if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
    return "\(error)"
}
