/// Horizontal alignment of a value in its column.
public enum Alignment: String, Sendable, Hashable, CaseIterable {
    case left, right, center
}

/// Cells a character takes in a terminal, and fitting text into a number of cells.
///
/// HAProxy names are ASCII, but check descriptions, addresses and user views may hold anything. A
/// pure table (East Asian wide ranges, combining marks as zero) keeps `render` independent of the
/// C locale; the ncurses backend positions every run itself, so a disagreement cannot shift a row.
public enum DisplayWidth {
    /// 0, 1 or 2.
    public static func of(_ character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        let value = scalar.value
        if value < 0x7F { return value < 0x20 ? 0 : 1 }
        if value < 0xA0 { return 0 }
        if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .enclosingMark
            || value == 0x200B
        {
            return 0
        }
        return isWide(value) ? 2 : 1
    }

    public static func of(_ text: String) -> Int {
        var total = 0
        for character in text { total += of(printable(character)) }
        return total
    }

    /// Control characters (a newline in a check description, an escape in a user view) become `?`,
    /// so nothing in the data can move the cursor or change the terminal's state.
    public static func printable(_ character: Character) -> Character {
        guard let scalar = character.unicodeScalars.first else { return "?" }
        if scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) { return "?" }
        return character
    }

    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// `text` in exactly `width` cells: cut with `ellipsis` when too long, padded per `alignment`.
    public static func fit(_ text: String, width: Int, alignment: Alignment = .left, ellipsis: String = "…") -> String {
        guard width > 0 else { return "" }
        let textWidth = of(text)
        if textWidth <= width {
            let pad = width - textWidth
            switch alignment {
            case .left: return text + String(repeating: " ", count: pad)
            case .right: return String(repeating: " ", count: pad) + text
            case .center:
                let left = pad / 2
                return String(repeating: " ", count: left) + text + String(repeating: " ", count: pad - left)
            }
        }
        let mark = of(ellipsis) < width ? ellipsis : ""
        let room = width - of(mark)
        var cut = ""
        var used = 0
        for character in text {
            let safe = printable(character)
            let w = of(safe)
            if used + w > room { break }
            cut.append(safe)
            used += w
        }
        return cut + mark + String(repeating: " ", count: max(0, room - used))
    }
}
