/// One configuration file's text, as handed to ``ConfigReader`` (reading files is ``ConfigFileLoader``'s job).
public struct ConfigSource: Sendable, Hashable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// Where something was written: a file and a 1-based line number.
public struct ConfigLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// One directive line, split into words (quotes, escapes and environment variables resolved).
public struct ConfigDirective: Sendable, Hashable {
    public var location: ConfigLocation
    public var words: [String]

    public init(location: ConfigLocation, words: [String]) {
        self.location = location
        self.words = words
    }

    /// The first word, lowercased as HAProxy's keywords are case-sensitive but written lowercase.
    public var keyword: String { words.first ?? "" }

    /// The words after `if` / `unless`, or nil when the directive has no condition.
    public var condition: [String]? {
        guard let index = words.firstIndex(where: { $0 == "if" || $0 == "unless" }) else { return nil }
        return Array(words[index...])
    }

    /// True when the directive starts with `prefix` (e.g. `["timeout", "tunnel"]`).
    public func starts(with prefix: [String]) -> Bool {
        words.count >= prefix.count && zip(words, prefix).allSatisfy { $0.lowercased() == $1 }
    }
}

/// Something the reader noticed that is not a verdict on the config: a skipped line, an unknown predicate.
public struct ConfigNote: Sendable, Hashable {
    public var location: ConfigLocation
    public var message: String
}

/// A `defaults`, `frontend`, `backend` or `listen` section with the directives it inherits.
public struct ConfigProxy: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case defaults, frontend, backend, listen

        public var hasFrontendSide: Bool { self == .frontend || self == .listen || self == .defaults }
        public var hasBackendSide: Bool { self == .backend || self == .listen || self == .defaults }
    }

    public var kind: Kind
    /// nil for an anonymous `defaults`.
    public var name: String?
    public var location: ConfigLocation
    /// The `defaults` section this one takes its settings from (by `from NAME`, else the last one before it).
    public var defaultsSection: ConfigLocation?
    public var defaultsName: String?
    /// What the defaults section gave (its own inherited directives first), in order.
    public var inherited: [ConfigDirective]
    /// The section's own directives, in order.
    public var own: [ConfigDirective]

    public init(kind: Kind, name: String?, location: ConfigLocation) {
        self.kind = kind
        self.name = name
        self.location = location
        self.inherited = []
        self.own = []
    }

    /// `defaults`, `backend ws_chat`: how findings name the section.
    public var sectionLabel: String { name.map { "\(kind.rawValue) \($0)" } ?? kind.rawValue }

    /// Inherited, then own: later lines override earlier ones, as in HAProxy.
    public var effective: [ConfigDirective] { inherited + own }

    /// The last directive starting with `prefix`, own or inherited.
    public func last(_ prefix: String...) -> ConfigDirective? {
        effective.last { $0.starts(with: prefix) }
    }

    /// Every directive starting with `prefix`, inherited first.
    public func all(_ prefix: String...) -> [ConfigDirective] {
        effective.filter { $0.starts(with: prefix) }
    }

    /// `option NAME` / `no option NAME`: the last one wins; nil when neither is written.
    public func option(_ name: String) -> (enabled: Bool, directive: ConfigDirective)? {
        for directive in effective.reversed() {
            if directive.starts(with: ["option", name]) && directive.words.count >= 2 { return (true, directive) }
            if directive.starts(with: ["no", "option", name]) { return (false, directive) }
        }
        return nil
    }

    /// `timeout NAME <value>` as milliseconds (0 is "never"), with where it was set.
    public func timeout(_ name: String) -> (milliseconds: Int?, directive: ConfigDirective)? {
        guard let directive = last("timeout", name), directive.words.count >= 3 else { return nil }
        return (HAProxyDuration.milliseconds(directive.words[2]), directive)
    }

    /// `mode http` or `mode tcp`; HAProxy's default is tcp.
    public var mode: String { last("mode")?.words.dropFirst().first?.lowercased() ?? "tcp" }

    /// The directive lines of this section's `server` entries.
    public var servers: [ConfigDirective] { own.filter { $0.keyword == "server" } }

    /// Backends this frontend or listen sends traffic to (`default_backend`, `use_backend`).
    public var routedBackends: [String] {
        effective.compactMap { directive in
            (directive.keyword == "default_backend" || directive.keyword == "use_backend") && directive.words.count >= 2
                ? directive.words[1] : nil
        }
    }
}

/// The configuration as HAProxy would read it from the same files, in order.
public struct ParsedConfig: Sendable, Hashable {
    public var files: [String]
    /// The `global` section's directives (several `global` sections add up).
    public var global: [ConfigDirective]
    /// Where the first `global` section starts; nil without one.
    public var globalLocation: ConfigLocation?
    public var defaults: [ConfigProxy]
    /// Frontends, backends and listens, in order.
    public var proxies: [ConfigProxy]
    public var notes: [ConfigNote]

    public init(files: [String] = []) {
        self.files = files
        self.global = []
        self.globalLocation = nil
        self.defaults = []
        self.proxies = []
        self.notes = []
    }

    public func proxy(named name: String) -> ConfigProxy? { proxies.first { $0.name == name } }

    /// The last global directive starting with `prefix`.
    public func globalDirective(_ prefix: String...) -> ConfigDirective? {
        global.last { $0.starts(with: prefix) }
    }

    /// Frontends and listens that send traffic to `backend`.
    public func frontends(routingTo backend: String) -> [ConfigProxy] {
        proxies.filter { $0.kind != .backend && ($0.name == backend || $0.routedBackends.contains(backend)) }
    }
}

/// HAProxy's time format (configuration.txt 2.5): a number in milliseconds, or suffixed us, ms, s, m, h, d.
public enum HAProxyDuration {
    public static func milliseconds(_ text: String) -> Int? {
        let digits = text.prefix(while: \.isNumber)
        guard let number = Int(digits) else { return nil }
        switch text.dropFirst(digits.count).lowercased() {
        case "": return number
        case "us": return number / 1000
        case "ms": return number
        case "s": return number * 1000
        case "m": return number * 60_000
        case "h": return number * 3_600_000
        case "d": return number * 86_400_000
        default: return nil
        }
    }

    /// `50s`, `1h`, `2h30m`, `500ms`: the shortest exact human form.
    public static func text(milliseconds: Int) -> String {
        if milliseconds % 1000 != 0 || milliseconds == 0 { return "\(milliseconds)ms" }
        var seconds = milliseconds / 1000
        var out = ""
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] where seconds >= size {
            out += "\(seconds / size)\(unit)"
            seconds %= size
        }
        if seconds > 0 || out.isEmpty { out += "\(seconds)s" }
        return out
    }
}
