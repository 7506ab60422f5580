/// A time value as HAProxy's configuration writes it (`5000`, `30s`, `1h`).
///
/// Kept as the text HAProxy reads, so a rendered config looks like one a person wrote (`timeout tunnel 1h`,
/// `timeout connect 5000` in the common guide) rather than everything in milliseconds.
public struct HAProxyTime: Sendable, Hashable, CustomStringConvertible {
    /// The text that goes into the config.
    public let text: String
    /// The same time in milliseconds, for arithmetic (e.g. how long until a server goes DOWN).
    public let milliseconds: Int64

    private init(text: String, milliseconds: Int64) {
        self.text = text
        self.milliseconds = milliseconds
    }

    /// A bare number, which HAProxy reads as milliseconds (`timeout connect 5000`).
    public static func milliseconds(_ value: Int64) -> HAProxyTime {
        HAProxyTime(text: String(value), milliseconds: value)
    }

    public static func seconds(_ value: Int64) -> HAProxyTime {
        HAProxyTime(text: "\(value)s", milliseconds: value * 1000)
    }

    public static func minutes(_ value: Int64) -> HAProxyTime {
        HAProxyTime(text: "\(value)m", milliseconds: value * 60_000)
    }

    public static func hours(_ value: Int64) -> HAProxyTime {
        HAProxyTime(text: "\(value)h", milliseconds: value * 3_600_000)
    }

    /// The shortest exact spelling of `duration` (whole milliseconds).
    public init(_ duration: Duration) {
        let ms = duration.wholeMilliseconds
        switch ms {
        case let value where value > 0 && value % 3_600_000 == 0: self = .hours(value / 3_600_000)
        case let value where value > 0 && value % 60_000 == 0: self = .minutes(value / 60_000)
        case let value where value > 0 && value % 1000 == 0: self = .seconds(value / 1000)
        default: self = .milliseconds(ms)
        }
    }

    public var description: String { self.text }

    /// As a Swift duration.
    public var duration: Duration { .milliseconds(self.milliseconds) }
}
