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
import HawsCore

/// The I/O edge of the config reader: turns `-f` arguments (files and directories) into ``ConfigSource``s.
///
/// A directory adds its non-hidden `*.cfg` files in byte order, as `haproxy -f DIR` does (management.txt,
/// section 3).
public enum ConfigFileLoader {
    public struct LoadError: Error, Sendable, Hashable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot read \(path): \(reason)" }
    }

    /// The files `haproxy -f` would read for these arguments, in order.
    public static func expand(_ paths: [String]) throws(LoadError) -> [String] {
        var files: [String] = []
        for path in paths {
            var status = stat()
            guard stat(path, &status) == 0 else {
                throw LoadError(path: path, reason: String(cString: strerror(errno)))
            }
            guard status.st_mode & S_IFMT == S_IFDIR else {
                files.append(path)
                continue
            }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                throw LoadError(path: path, reason: fileErrorReason(error))
            }
            let base = path.hasSuffix("/") ? path : path + "/"
            for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
            where !name.hasPrefix(".") && name.hasSuffix(".cfg") {
                var entry = stat()
                if stat(base + name, &entry) == 0, entry.st_mode & S_IFMT == S_IFREG {
                    files.append(base + name)
                }
            }
        }
        return files
    }

    public static func load(_ paths: [String]) throws(LoadError) -> [ConfigSource] {
        try expand(paths).map { (path) throws(LoadError) in
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw LoadError(path: path, reason: fileErrorReason(error))
            }
            guard let text = String(validating: data, as: UTF8.self) else {
                // HAProxy reads bytes; keep the lines, replacing what is not UTF-8.
                return ConfigSource(path: path, text: String(decoding: data, as: UTF8.self))
            }
            return ConfigSource(path: path, text: text)
        }
    }
}
