/// Reads configuration files into a ``ParsedConfig`` as HAProxy does: files in the order given, sections,
/// `defaults` inheritance (the last `defaults` before a proxy, or `from NAME`), conditional blocks, comments,
/// quoting and environment variables.
///
/// Pure: the files' text and the environment come in as values. A line haws does not understand is never an
/// error of the user's config: it is kept as a directive (rules ignore keywords they do not know), or noted.
public struct ConfigReader: Sendable {
    public var environment: [String: String]
    public var haproxyVersion: String?

    public init(environment: [String: String] = [:], haproxyVersion: String? = nil) {
        self.environment = environment
        self.haproxyVersion = haproxyVersion
    }

    /// Sections haws reads; every other section keyword starts a section whose lines are skipped.
    static let proxyKeywords: Set<String> = ["defaults", "frontend", "backend", "listen"]
    static let otherSections: Set<String> = [
        "peers", "resolvers", "userlist", "mailers", "program", "http-errors", "ring", "cache", "log-forward",
        "crt-store", "traces", "acme", "fcgi-app", "namespace_list", "dynamic-update",
    ]

    public func read(_ sources: [ConfigSource]) -> ParsedConfig {
        var config = ParsedConfig(files: sources.map(\.path))
        let conditions = ConditionEvaluator(environment: environment, haproxyVersion: haproxyVersion)
        enum Current { case none, global, proxy(ConfigProxy), skipped }
        var current = Current.none
        var namedDefaults: [String: ConfigProxy] = [:]
        var lastDefaults: ConfigProxy?

        func close() {
            if case .proxy(let proxy) = current {
                if proxy.kind == .defaults {
                    config.defaults.append(proxy)
                    lastDefaults = proxy
                    if let name = proxy.name { namedDefaults[name] = proxy }
                } else {
                    config.proxies.append(proxy)
                }
            }
            current = .none
        }

        for source in sources {
            close()  // each file starts outside any section (HAProxy's readcfgfile)
            /// One level of `.if`: whether its lines are read, and whether a branch was already taken.
            struct Level { var active: Bool; var taken: Bool; var parentActive: Bool; var sawElse: Bool }
            var levels: [Level] = []
            var active: Bool { levels.last?.active ?? true }
            var lineNumber = 0
            for rawLine in source.text.split(separator: "\n", omittingEmptySubsequences: false) {
                lineNumber += 1
                let location = ConfigLocation(file: source.path, line: lineNumber)
                let text = rawLine.last == "\r" ? rawLine.dropLast() : rawLine
                let line = ConfigTokenizer.tokenize(text, environment: environment)
                guard let first = line.words.first else { continue }
                let note = { (message: String) in config.notes.append(ConfigNote(location: location, message: message)) }

                switch first {
                case ".if":
                    let parentActive = active
                    let value = parentActive ? conditions.evaluate(Array(line.words.dropFirst())) : false
                    if parentActive, value == nil {
                        note("cannot evaluate `\(line.words.joined(separator: " "))` here: the block is read as not taken")
                    }
                    let taken = value ?? false
                    levels.append(Level(active: parentActive && taken, taken: taken || !parentActive, parentActive: parentActive, sawElse: false))
                    continue
                case ".elif":
                    guard var level = levels.popLast() else {
                        note("`.elif` without `.if`")
                        continue
                    }
                    if level.taken || !level.parentActive {
                        level.active = false
                    } else {
                        let value = conditions.evaluate(Array(line.words.dropFirst()))
                        if value == nil {
                            note("cannot evaluate `\(line.words.joined(separator: " "))` here: the block is read as not taken")
                        }
                        level.active = value ?? false
                        level.taken = level.active
                    }
                    levels.append(level)
                    continue
                case ".else":
                    guard var level = levels.popLast() else {
                        note("`.else` without `.if`")
                        continue
                    }
                    level.active = level.parentActive && !level.taken
                    level.taken = true
                    level.sawElse = true
                    levels.append(level)
                    continue
                case ".endif":
                    if levels.popLast() == nil { note("`.endif` without `.if`") }
                    continue
                default:
                    break
                }
                guard active else { continue }
                if first.hasPrefix(".") { continue }  // .diag, .notice, .warning, .alert: messages, not settings
                if line.unterminatedQuote { note("unterminated quote") }
                for name in line.undefinedVariables { note("environment variable \(name) is not set: expanded to nothing") }
                let words = line.words

                if first == "global" {
                    close()
                    current = .global
                    if config.globalLocation == nil { config.globalLocation = location }
                    continue
                }
                if Self.proxyKeywords.contains(first) {
                    close()
                    let kind = ConfigProxy.Kind(rawValue: first)!
                    var name: String?
                    var from: String?
                    var rest = words.dropFirst()
                    if let word = rest.first, word != "from" {
                        name = word
                        rest = rest.dropFirst()
                    }
                    if rest.first == "from", rest.count >= 2 { from = rest.dropFirst().first }
                    var proxy = ConfigProxy(kind: kind, name: name, location: location)
                    let base: ConfigProxy?
                    if let from {
                        base = namedDefaults[from]
                        if base == nil { note("`from \(from)`: no defaults section of that name before this line") }
                    } else {
                        base = kind == .defaults ? nil : lastDefaults
                    }
                    if let base {
                        proxy.defaultsSection = base.location
                        proxy.defaultsName = base.name
                        proxy.inherited = base.effective
                    }
                    current = .proxy(proxy)
                    continue
                }
                if Self.otherSections.contains(first) {
                    close()
                    current = .skipped
                    continue
                }
                let directive = ConfigDirective(location: location, words: words)
                switch current {
                case .none: note("`\(first)` outside any section")
                case .global: config.global.append(directive)
                case .proxy(var proxy):
                    // Release the enum's copy first, so the append is in place: else every line copies the proxy's
                    // lines so far, and a backend of 10,000 servers costs 50 million copies.
                    current = .none
                    proxy.own.append(directive)
                    current = .proxy(proxy)
                case .skipped: break
                }
            }
            if !levels.isEmpty {
                config.notes.append(
                    ConfigNote(location: ConfigLocation(file: source.path, line: lineNumber), message: "`.if` without `.endif` at the end of the file"))
            }
        }
        close()
        return config
    }
}
