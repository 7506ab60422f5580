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
    ///
    /// Unquoted cells (nearly all of them) become strings straight from the input bytes; only quoted
    /// cells go through a scratch buffer, where `""` is unescaped.
    public static func records(bytes: UnsafeBufferPointer<UInt8>) -> [[String]] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var out: [[String]] = []
        var record: [String] = []
        var scratch: [UInt8] = []
        var widest = 0
        var index = 0
        let count = bytes.count

        func endRecord() {
            widest = max(widest, record.count)
            if !(record.count == 1 && record[0].isEmpty) { out.append(record) }
            record = []
            record.reserveCapacity(widest)
        }

        while index <= count {
            // At the start of a cell.
            if index < count, bytes[index] == quote {
                index = quotedCell(bytes, from: index, into: &scratch)
                record.append(String(decoding: scratch, as: UTF8.self))
            } else {
                let start = index
                while index < count, bytes[index] != comma, bytes[index] != lf, bytes[index] != cr { index += 1 }
                record.append(
                    index == start ? "" : String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
            }
            // At a separator or the end of input.
            if index >= count {
                if !(record.count == 1 && record[0].isEmpty) || !out.isEmpty && record.count > 1 { endRecord() }
                break
            }
            let separator = bytes[index]
            index += 1
            if separator == comma { continue }
            if separator == cr, index < count, bytes[index] == lf { index += 1 }
            endRecord()
            if index == count { break }
        }
        return out
    }

    /// Reads the quoted cell whose opening quote is at `start` into `cell` (`""` unescaped) and returns the
    /// index just after it. The tolerant rules of the whole reader: an unterminated quote ends at the end of
    /// input, and stray bytes after the closing quote, up to the next separator, stay part of the cell.
    static func quotedCell(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, into cell: inout [UInt8]) -> Int {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let count = bytes.count
        cell.removeAll(keepingCapacity: true)
        var index = start + 1
        var closed = false
        while index < count {
            let byte = bytes[index]
            if byte == quote {
                if index + 1 < count, bytes[index + 1] == quote {
                    cell.append(quote)
                    index += 2
                    continue
                }
                index += 1
                closed = true
                break
            }
            cell.append(byte)
            index += 1
        }
        while closed, index < count, bytes[index] != comma, bytes[index] != lf, bytes[index] != cr {
            cell.append(bytes[index])
            index += 1
        }
        return index
    }
}
