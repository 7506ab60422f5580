import HawsCore

/// One table of the config file, read key by key, so that keys nobody read can be reported as unknown.
///
/// Every section reader (instances, timeouts, intervals, outputs, probes)
/// uses the same typed getters, so type errors, bad durations and typos read the same everywhere:
/// `haws.toml: instance 2 ('edge-2'): key stats_insecure: expected a boolean, found a string`.
public struct ConfigTable: Sendable {
    /// The config file, for messages.
    public let file: String
    /// Where this table is, for messages: `[timeouts]`, `instance 2 ('edge-2')`; empty at the top level.
    public let location: String
    public let values: [String: ConfigValue]
    private var readKeys: Set<String> = []

    public init(file: String, location: String, values: [String: ConfigValue]) {
        self.file = file
        self.location = location
        self.values = values
    }

    /// A copy whose messages say `name` for this table (once the instance's name is known).
    func relocated(to location: String) -> ConfigTable {
        var copy = ConfigTable(file: file, location: location, values: values)
        copy.readKeys = readKeys
        return copy
    }

    public mutating func string(_ key: String) throws(ConfigFileError) -> String? {
        guard let value = take(key) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, expected: "a string", found: value) }
        return text
    }

    public mutating func boolean(_ key: String) throws(ConfigFileError) -> Bool? {
        guard let value = take(key) else { return nil }
        guard case .boolean(let flag) = value else {
            throw wrongType(key, expected: "a boolean (true or false, without quotes)", found: value)
        }
        return flag
    }

    public mutating func integer(_ key: String) throws(ConfigFileError) -> Int? {
        guard let value = take(key) else { return nil }
        guard case .integer(let number) = value else { throw wrongType(key, expected: "an integer", found: value) }
        return number
    }

    /// An array of strings (`subprotocols = ["chat.v1"]`); with `acceptingSingle`, one string counts as an array of
    /// one (`frontend = "ws://..."`).
    public mutating func strings(_ key: String, acceptingSingle: Bool = false) throws(ConfigFileError) -> [String]? {
        guard let value = take(key) else { return nil }
        if acceptingSingle, case .string(let text) = value { return [text] }
        let expected = acceptingSingle ? "a string or an array of strings" : "an array of strings, e.g. [\"a\", \"b\"]"
        guard case .array(let elements) = value else { throw wrongType(key, expected: expected, found: value) }
        var texts: [String] = []
        for element in elements {
            guard case .string(let text) = element else { throw wrongType(key, expected: expected, found: element) }
            texts.append(text)
        }
        return texts
    }

    /// A duration written as a string (`"5s"`, `"500ms"`); a bare number is refused, its unit is ambiguous.
    public mutating func duration(_ key: String) throws(ConfigFileError) -> Duration? {
        guard let value = take(key) else { return nil }
        guard case .string(let text) = value else {
            throw wrongType(key, expected: "a duration string such as \"5s\" or \"500ms\"", found: value)
        }
        do {
            return try DurationParser.parse(text)
        } catch {
            throw invalidValue(key, error.description)
        }
    }

    /// A positive duration, as every timeout and interval must be.
    public mutating func positiveDuration(_ key: String) throws(ConfigFileError) -> Duration? {
        guard let duration = try duration(key) else { return nil }
        guard duration > .zero else { throw invalidValue(key, "must be more than 0, e.g. \"5s\"") }
        return duration
    }

    public mutating func table(_ key: String) throws(ConfigFileError) -> ConfigTable? {
        guard let value = take(key) else { return nil }
        guard case .table(let values) = value else { throw wrongType(key, expected: "a table", found: value) }
        return ConfigTable(file: file, location: Self.join(location, "[\(key)]"), values: values)
    }

    /// An array of tables (`[[instance]]`); each table's location is `instance N`, counted from 1 as people do.
    public mutating func tables(_ key: String) throws(ConfigFileError) -> [ConfigTable]? {
        guard let value = take(key) else { return nil }
        guard case .array(let elements) = value else {
            throw wrongType(key, expected: "an array of tables, written [[\(key)]]", found: value)
        }
        var tables: [ConfigTable] = []
        for (index, element) in elements.enumerated() {
            guard case .table(let values) = element else {
                throw wrongType(key, expected: "an array of tables, written [[\(key)]]", found: element)
            }
            tables.append(ConfigTable(file: file, location: Self.join(location, "\(key) \(index + 1)"), values: values))
        }
        return tables
    }

    /// Fails if `key` is present, with `reason` (a password written inline, say).
    public mutating func refuse(_ key: String, kind: ConfigFileError.Kind, because reason: String)
        throws(ConfigFileError)
    {
        guard take(key) != nil else { return }
        throw ConfigFileError(kind, file: file, at: Self.join(location, "key \(key)"), reason)
    }

    /// Fails on the first key that no getter read, suggesting the closest known key.
    ///
    /// - Parameter known: the keys this table may hold, for the suggestion and the list in the message.
    public func rejectUnknownKeys(known: [String]) throws(ConfigFileError) {
        for key in values.keys.sorted() where !readKeys.contains(key) {
            var problem = "unknown key '\(key)'"
            if let suggestion = Self.closest(to: key, among: known) {
                problem += "; did you mean '\(suggestion)'?"
            }
            problem += " (known keys: \(known.sorted().joined(separator: ", ")))"
            throw ConfigFileError(.unknownKey, file: file, at: location, problem)
        }
    }

    /// An error about `key` of this table, for checks done by the section readers.
    public func invalidValue(_ key: String, _ problem: String) -> ConfigFileError {
        ConfigFileError(.invalidValue, file: file, at: Self.join(location, "key \(key)"), problem)
    }

    public func missingKey(_ problem: String) -> ConfigFileError {
        ConfigFileError(.missingKey, file: file, at: location, problem)
    }

    // MARK: Internals

    private mutating func take(_ key: String) -> ConfigValue? {
        readKeys.insert(key)
        return values[key]
    }

    private func wrongType(_ key: String, expected: String, found: ConfigValue) -> ConfigFileError {
        ConfigFileError(
            .wrongType,
            file: file,
            at: Self.join(location, "key \(key)"),
            "expected \(expected), found \(found.typeName)"
        )
    }

    static func join(_ location: String, _ part: String) -> String {
        location.isEmpty ? part : "\(location), \(part)"
    }

    /// The known key within edit distance 2 of `key`, if any: typos such as `sockt` or `stats-url`.
    static func closest(to key: String, among known: [String]) -> String? {
        let normalized = key.lowercased().replacing("-", with: "_")
        var best: (key: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(Array(normalized), Array(candidate))
            if distance <= 2, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.key
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
