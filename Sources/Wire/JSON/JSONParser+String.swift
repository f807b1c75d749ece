// MARK: - Strings

extension JSONParser {
    /// Parses a string starting at its opening quote.
    mutating func parseString() throws(JSONParseError) -> String {
        let start = index + 1
        index = start
        // Fast path: no escapes, so the String is made straight from the input bytes.
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                let string = try makeString(UnsafeRawBufferPointer(rebasing: input[start..<index]), at: start)
                index += 1
                return string
            }
            if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
            if byte < 0x20 { throw error(.controlCharacter) }
            index += 1
        }
        throw error(.unexpectedEnd)
    }

    private func makeString(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(JSONParseError) -> String {
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw JSONParseError(.invalidUTF8, at: offset)
        }
        return string
    }

    /// The slow path: copies into a buffer, decoding escapes, from `start` (after the quote).
    private mutating func parseEscapedString(from start: Int) throws(JSONParseError) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(index - start + 16)
        buffer.append(contentsOf: input[start..<index])
        while index < input.count {
            let byte = input[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try buffer.withUnsafeBytes { bytes in
                    Result { () throws(JSONParseError) in try makeString(bytes, at: start) }
                }.get()
            case UInt8(ascii: "\\"):
                try decodeEscape(into: &buffer)
            case ..<0x20:
                throw error(.controlCharacter)
            default:
                buffer.append(byte)
                index += 1
            }
        }
        throw error(.unexpectedEnd)
    }

    /// Decodes one escape at `index` (the backslash) and appends its UTF-8.
    private mutating func decodeEscape(into buffer: inout [UInt8]) throws(JSONParseError) {
        index += 1
        guard index < input.count else { throw error(.unexpectedEnd) }
        let decoded: UInt8
        switch input[index] {
        case UInt8(ascii: "\""): decoded = 0x22
        case UInt8(ascii: "\\"): decoded = 0x5C
        case UInt8(ascii: "/"): decoded = 0x2F
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            appendUTF8(of: try decodeUnicodeEscape(), to: &buffer)
            return
        default:
            throw error(.invalidEscape)
        }
        buffer.append(decoded)
        index += 1
    }

    /// Decodes `uXXXX` (at `index`), joining a surrogate pair; a lone surrogate is an error.
    private mutating func decodeUnicodeEscape() throws(JSONParseError) -> UInt32 {
        let escapeStart = index - 1
        let high = try readHex4()
        switch high {
        case 0xD800...0xDBFF:
            guard index + 1 < input.count,
                input[index] == UInt8(ascii: "\\"), input[index + 1] == UInt8(ascii: "u")
            else { throw JSONParseError(.loneSurrogate, at: escapeStart) }
            index += 1
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw JSONParseError(.loneSurrogate, at: escapeStart) }
            return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        case 0xDC00...0xDFFF:
            throw JSONParseError(.loneSurrogate, at: escapeStart)
        default:
            return high
        }
    }

    /// Reads the `u` at `index` and four hex digits after it.
    private mutating func readHex4() throws(JSONParseError) -> UInt32 {
        index += 1  // the "u"
        guard index + 4 <= input.count else { throw error(.unexpectedEnd) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = input[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default: throw error(.invalidEscape)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func appendUTF8(of scalar: UInt32, to buffer: inout [UInt8]) {
        switch scalar {
        case ..<0x80:
            buffer.append(UInt8(scalar))
        case ..<0x800:
            buffer.append(UInt8(0xC0 | scalar >> 6))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            buffer.append(UInt8(0xE0 | scalar >> 12))
            buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        default:
            buffer.append(UInt8(0xF0 | scalar >> 18))
            buffer.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
