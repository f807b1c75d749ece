// MARK: - Escaping and number formatting

extension JSONWriter {
    /// Appends `"text"`, escaping `"`, `\` and control characters; other bytes (UTF-8) are copied as is.
    mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Copy runs of plain bytes in one go; most strings have no escapes at all.
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                appendEscape(for: byte)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscape(for byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            let hex: StaticString = "0123456789abcdef"
            bytes.append(contentsOf: "u00" as StaticString)
            bytes.append(hex.utf8Start[Int(byte >> 4)])
            bytes.append(hex.utf8Start[Int(byte & 0xF)])
        }
    }

    /// Integral values within ±2^53 as integers; others in Swift's shortest round-trip form,
    /// whose exponent forms ("1e+20", "1.5e-07") are valid JSON.
    mutating func appendNumber(_ value: Double) {
        guard value.isFinite else {
            bytes.append(contentsOf: Self.nullBytes)
            return
        }
        if value.rounded(.towardZero) == value, value.magnitude <= 9_007_199_254_740_992 {
            appendInteger(Int(value))
        } else if !appendShortDecimal(value) {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    /// Writes values with at most six decimals (timestamps, most user numbers) without allocating a
    /// String. Returns `false` when it cannot; the check below guarantees the text parses back to
    /// `value`, because `units / scale` with both exact is what a correctly rounding parser computes.
    private mutating func appendShortDecimal(_ value: Double) -> Bool {
        var scale = 1.0
        for digits in 1...6 {
            scale *= 10
            let units = (value * scale).rounded()
            guard units.magnitude < 9_007_199_254_740_992 else { return false }
            guard units / scale == value else { continue }
            let magnitude = UInt64(units.magnitude)
            let divisor = UInt64(scale)
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            appendInteger(Int(magnitude / divisor))
            bytes.append(UInt8(ascii: "."))
            // Fraction digits, filled from the right so leading zeros ("0.05") come out.
            var fraction = magnitude % divisor
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
            var position = start + digits - 1
            while fraction > 0 {
                bytes[position] = UInt8(ascii: "0") &+ UInt8(fraction % 10)
                fraction /= 10
                position -= 1
            }
            return true
        }
        return false
    }

    /// Writes decimal digits without going through a String.
    mutating func appendInteger(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") &+ UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }
}
