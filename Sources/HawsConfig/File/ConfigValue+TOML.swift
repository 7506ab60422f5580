extension ConfigValue {
    /// Parses TOML text into a top-level table.
    ///
    /// - Throws: ``ConfigFileError`` of kind ``ConfigFileError/Kind/syntax`` with the line and column.
    static func parseTOML(_ text: String, file: String) throws(ConfigFileError) -> [String: ConfigValue] {
        do {
            return try TOMLParser.parse(text)
        } catch {
            throw ConfigFileError(
                .syntax, file: file, at: "line \(error.line), column \(error.column)",
                "TOML syntax error: \(error.message)")
        }
    }
}
