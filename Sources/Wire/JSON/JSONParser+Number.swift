// MARK: - Numbers

extension JSONParser {
    /// Exact powers of ten for the fast path (10^22 is the largest exactly representable one).
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Parses a number at `index`, checking RFC 8259's grammar (no leading zeros, no bare `.`/`e`).
    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = index
        var mantissa: UInt64 = 0
        var mantissaOverflowed = false
        var fractionDigits = 0

        let negative = input[index] == UInt8(ascii: "-")
        if negative { index += 1 }

        // Integer part.
        guard index < input.count, isDigit(input[index]) else { throw error(.invalidNumber) }
        if input[index] == UInt8(ascii: "0") {
            index += 1
            if index < input.count, isDigit(input[index]) { throw error(.invalidNumber) }
        } else {
            accumulateDigits(into: &mantissa, overflowed: &mantissaOverflowed)
        }

        // Fraction.
        if index < input.count, input[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            accumulateDigits(into: &mantissa, overflowed: &mantissaOverflowed)
            fractionDigits = index - fractionStart
            guard fractionDigits > 0 else { throw error(.invalidNumber) }
        }

        // Exponent; clamped, since anything past ±400 already over/underflows a Double.
        var exponent = 0
        if index < input.count, input[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < input.count, input[index] == UInt8(ascii: "+") || input[index] == UInt8(ascii: "-") {
                exponentNegative = input[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < input.count, isDigit(input[index]) else { throw error(.invalidNumber) }
            while index < input.count, isDigit(input[index]) {
                exponent = min(exponent * 10 + Int(input[index] &- UInt8(ascii: "0")), 100_000)
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }

        // Clinger's fast path: a mantissa ≤ 2^53 times an exact power of ten rounds once, correctly.
        let scale = exponent - fractionDigits
        if !mantissaOverflowed, mantissa <= 1 << 53, (-22...22).contains(scale) {
            var value = Double(mantissa)
            value = scale < 0 ? value / Self.powersOfTen[-scale] : value * Self.powersOfTen[scale]
            return negative ? -value : value
        }
        return try slowNumber(from: start)
    }

    private mutating func accumulateDigits(into mantissa: inout UInt64, overflowed: inout Bool) {
        while index < input.count, isDigit(input[index]) {
            let digit = UInt64(input[index] &- UInt8(ascii: "0"))
            if mantissa > (UInt64.max - 9) / 10 {
                overflowed = true
            } else {
                mantissa = mantissa * 10 + digit
            }
            index += 1
        }
    }

    /// Long or extreme numbers go through the standard library's correctly rounded conversion.
    private func slowNumber(from start: Int) throws(JSONParseError) -> Double {
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: input[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw JSONParseError(.numberOutOfRange, at: start)
        }
        return value
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }
}
