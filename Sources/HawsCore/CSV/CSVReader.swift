/// A tolerant RFC 4180 reader for HAProxy's stats CSV.
///
/// HAProxy quotes free-text cells (`check_desc`, `last_chk`, `last_agt`) and, before a 2024 fix, could
/// emit a raw newline inside a quoted cell, so a line-based split is wrong. The reader works on UTF-8
/// bytes (a 10,000-server `show stat` is about 2.5 MB) and never fails: an unterminated quote ends at
/// the end of input, and stray bytes after a closing quote are kept as part of the cell.
public enum CSVReader {
    /// Splits `text` into records of fields. Empty lines are skipped; `\r\n` and `\n` both end a record.
    public static func records(_ text: String) -> [[String]] {
        var text = text
        return text.withUTF8 { records(bytes: $0) }
    }

    /// Byte-level core of ``records(_:)``; invalid UTF-8 is repaired, never a crash.
    public static func records(bytes: UnsafeBufferPointer<UInt8>) -> [[String]] {
        var out: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        field.reserveCapacity(64)
        var inQuotes = false
        var fieldWasQuoted = false
        var index = 0
        let count = bytes.count
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        func endRecord() {
            endField()
            if !(record.count == 1 && record[0].isEmpty) { out.append(record) }
            record = []
        }

        while index < count {
            let byte = bytes[index]
            if inQuotes {
                if byte == quote {
                    if index + 1 < count && bytes[index + 1] == quote {
                        field.append(quote)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(byte)
                }
            } else {
                switch byte {
                case comma: endField()
                case lf: endRecord()
                case cr:
                    if index + 1 < count && bytes[index + 1] == lf { break }
                    endRecord()
                case quote where field.isEmpty && !fieldWasQuoted:
                    inQuotes = true
                    fieldWasQuoted = true
                default: field.append(byte)
                }
            }
            index += 1
        }
        if !field.isEmpty || !record.isEmpty || fieldWasQuoted { endRecord() }
        return out
    }
}
