/// Base64url (RFC 4648 §5) as JWT uses it: encoded without padding; decoding accepts either.
enum Base64URL {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    /// Appends the encoding of `input` to `output`, without padding.
    static func encode(_ input: some Collection<UInt8>, into output: inout [UInt8]) {
        let table = alphabet.utf8Start
        var iterator = input.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = second == nil ? nil : iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(table[Int(group >> 18)])
            output.append(table[Int(group >> 12 & 0x3F)])
            if second != nil { output.append(table[Int(group >> 6 & 0x3F)]) }
            if third != nil { output.append(table[Int(group & 0x3F)]) }
        }
    }

    /// The encoding of `input` as a String, without padding.
    static func encode(_ input: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((input.count * 4 + 2) / 3)
        encode(input, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes `input`, or `nil` for a character outside the alphabet, a bad length, or non-zero
    /// trailing bits (which would let one value have several encodings).
    static func decode(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var count = input.count
        if count % 4 == 0 {
            while count > 0, input[count - 1] == UInt8(ascii: "="), input.count - count < 2 { count -= 1 }
        }
        guard count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(count * 3 / 4)
        var group: UInt32 = 0
        for index in 0..<count {
            let value = sextet(input[index])
            guard value != 0xFF else { return nil }
            group = group << 6 | UInt32(value)
            if index & 3 == 3 {
                output.append(UInt8(group >> 16))
                output.append(UInt8(group >> 8 & 0xFF))
                output.append(UInt8(group & 0xFF))
                group = 0
            }
        }
        switch count & 3 {
        case 2:
            guard group & 0xF == 0 else { return nil }
            output.append(UInt8(group >> 4))
        case 3:
            guard group & 0x3 == 0 else { return nil }
            output.append(UInt8(group >> 10))
            output.append(UInt8(group >> 2 & 0xFF))
        default:
            break
        }
        return output
    }

    /// Decodes the UTF-8 of `text`.
    static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode($0) }
    }

    @inline(__always)
    private static func sextet(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte &- UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte &- UInt8(ascii: "a") &+ 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0") &+ 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: 0xFF
        }
    }
}
