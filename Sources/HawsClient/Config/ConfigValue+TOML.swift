import TOMLKit

extension ConfigValue {
    /// Parses TOML text into a top-level table.
    ///
    /// - Throws: ``ConfigFileError`` of kind ``ConfigFileError/Kind/syntax`` with TOML's line and column.
    static func parseTOML(_ text: String, file: String) throws(ConfigFileError) -> [String: ConfigValue] {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigFileError(
                .syntax,
                file: file,
                at: "line \(error.source.begin.line), column \(error.source.begin.column)",
                "TOML syntax error: \(error.description.replacingLineBreaks())"
            )
        } catch {
            throw ConfigFileError(.syntax, file: file, at: "", "TOML syntax error: \(error)")
        }
        return convert(table)
    }

    private static func convert(_ table: TOMLTable) -> [String: ConfigValue] {
        var values: [String: ConfigValue] = [:]
        for (key, value) in table {
            values[key] = convert(value)
        }
        return values
    }

    private static func convert(_ value: any TOMLValueConvertible) -> ConfigValue {
        switch value.type {
        case .string: return .string(value.string ?? "")
        case .int: return .integer(value.int ?? 0)
        case .double: return .float(value.double ?? 0)
        case .bool: return .boolean(value.bool ?? false)
        case .date, .time, .dateTime: return .dateTime(value.debugDescription)
        case .array: return .array(value.array.map { array in array.map { convert($0) } } ?? [])
        case .table: return .table(value.table.map { table in convert(table) } ?? [:])
        }
    }
}
