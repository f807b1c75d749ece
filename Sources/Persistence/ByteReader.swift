/// Reads values written by ``ByteWriter``; every read is bounds-checked and throws on malformed input.
///
/// Reading never traps: snapshot and journal bytes come from disk and may be damaged.
public struct ByteReader: Sendable {
    @usableFromInline let bytes: [UInt8]
    @usableFromInline var position: Int

    /// Offset of the next byte to read.
    @inlinable
    public var offset: Int { position }

    /// Creates a reader over `bytes`, starting at `offset`.
    @inlinable
    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.position = min(max(offset, 0), bytes.count)
    }

    /// Bytes left to read.
    @inlinable
    public var remaining: Int { bytes.count - position }

    /// True when every byte has been read.
    @inlinable
    public var isAtEnd: Bool { position == bytes.count }

    /// Throws unless every byte has been consumed; trailing bytes mean a format mismatch.
    @inlinable
    public func expectEnd() throws(PersistenceError) {
        guard isAtEnd else {
            throw PersistenceError(.corrupt, "\(remaining) unexpected trailing bytes at offset \(offset)")
        }
    }

    @inlinable
    mutating func need(_ count: Int, _ what: StaticString) throws(PersistenceError) {
        guard count <= remaining else {
            throw PersistenceError(
                .truncated, "\(what): need \(count) bytes at offset \(offset), \(remaining) left")
        }
    }

    // MARK: Fixed-width

    @inlinable
    public mutating func readUInt8() throws(PersistenceError) -> UInt8 {
        try need(1, "UInt8")
        defer { position += 1 }
        return bytes[offset]
    }

    @inlinable
    mutating func readFixed<T: FixedWidthInteger>(_: T.Type) throws(PersistenceError) -> T {
        let size = MemoryLayout<T>.size
        try need(size, "fixed-width integer")
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        position += size
        return T(littleEndian: value)
    }

    @inlinable
    public mutating func readUInt16() throws(PersistenceError) -> UInt16 { try readFixed(UInt16.self) }

    @inlinable
    public mutating func readUInt32() throws(PersistenceError) -> UInt32 { try readFixed(UInt32.self) }

    @inlinable
    public mutating func readUInt64() throws(PersistenceError) -> UInt64 { try readFixed(UInt64.self) }

    @inlinable
    public mutating func readInt64() throws(PersistenceError) -> Int64 {
        Int64(bitPattern: try readFixed(UInt64.self))
    }

    @inlinable
    public mutating func readDouble() throws(PersistenceError) -> Double {
        Double(bitPattern: try readFixed(UInt64.self))
    }

    /// Reads a Bool; any byte other than 0 or 1 is corruption, not `true`.
    @inlinable
    public mutating func readBool() throws(PersistenceError) -> Bool {
        switch try readUInt8() {
        case 0: return false
        case 1: return true
        case let other:
            throw PersistenceError(.corrupt, "invalid Bool byte \(other) at offset \(offset - 1)")
        }
    }

    // MARK: Variable-width

    /// Reads an unsigned LEB128 varint; rejects encodings longer than 10 bytes or overflowing 64 bits.
    @inlinable
    public mutating func readVarUInt() throws(PersistenceError) -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else {
                throw PersistenceError(.truncated, "varint at offset \(start) runs past the end")
            }
            let byte = bytes[offset]
            position += 1
            if shift == 63 && byte > 1 {
                // The 10th byte may only carry the top bit; more would overflow or be an 11th byte.
                throw PersistenceError(.corrupt, "varint at offset \(start) is longer than 10 bytes")
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// Reads a zig-zag LEB128 varint written by ``ByteWriter/writeVarInt(_:)``.
    @inlinable
    public mutating func readVarInt() throws(PersistenceError) -> Int64 {
        let raw = try readVarUInt()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Reads a varint length that must fit in the remaining bytes.
    @inlinable
    public mutating func readLength() throws(PersistenceError) -> Int {
        let start = offset
        let length = try readVarUInt()
        guard length <= UInt64(remaining) else {
            throw PersistenceError(
                .truncated, "length \(length) at offset \(start) exceeds the \(remaining) bytes left")
        }
        return Int(length)
    }

    /// Reads a length-prefixed UTF-8 string, validating the encoding.
    @inlinable
    public mutating func readString() throws(PersistenceError) -> String {
        let length = try readLength()
        let start = offset
        let string = bytes.withUnsafeBufferPointer { buffer -> String? in
            let utf8 = UnsafeBufferPointer(rebasing: buffer[start..<start + length])
            // ASCII is valid UTF-8: skip the generic validating initialiser, measurably slower per
            // call when a snapshot holds millions of short strings.
            var high: UInt8 = 0
            for byte in utf8 { high |= byte }
            if high < 0x80 { return String(decoding: utf8, as: UTF8.self) }
            return String(validating: utf8, as: UTF8.self)
        }
        guard let string else {
            throw PersistenceError(.corrupt, "invalid UTF-8 in string at offset \(start)")
        }
        position += length
        return string
    }

    /// Reads a length-prefixed UTF-8 string's byte range (validated like ``readString()``) without
    /// making a string; ``withBytes(_:)`` reads the bytes.
    @inlinable
    public mutating func readUTF8Range() throws(PersistenceError) -> Range<Int> {
        let length = try readLength()
        let start = offset
        let valid = bytes.withUnsafeBufferPointer { buffer -> Bool in
            let utf8 = UnsafeBufferPointer(rebasing: buffer[start..<start + length])
            var high: UInt8 = 0
            for byte in utf8 { high |= byte }
            return high < 0x80 || String(validating: utf8, as: UTF8.self) != nil
        }
        guard valid else {
            throw PersistenceError(.corrupt, "invalid UTF-8 in string at offset \(start)")
        }
        position += length
        return start..<start + length
    }

    /// Calls `body` with all the bytes this reader reads (ranges from ``readUTF8Range()`` index them).
    @inlinable
    public func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        try bytes.withUnsafeBufferPointer(body)
    }

    /// Reads a presence byte, then the string if present.
    @inlinable
    public mutating func readOptionalString() throws(PersistenceError) -> String? {
        try readBool() ? try readString() : nil
    }

    /// Reads a length-prefixed byte array.
    @inlinable
    public mutating func readBytes() throws(PersistenceError) -> [UInt8] {
        let length = try readLength()
        return try readRaw(count: length)
    }

    /// Reads exactly `count` bytes with no length prefix.
    @inlinable
    public mutating func readRaw(count: Int) throws(PersistenceError) -> [UInt8] {
        guard count >= 0 else { throw PersistenceError(.corrupt, "negative byte count \(count)") }
        try need(count, "raw bytes")
        defer { position += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Skips `count` bytes.
    @inlinable
    public mutating func skip(_ count: Int) throws(PersistenceError) {
        guard count >= 0 else { throw PersistenceError(.corrupt, "negative skip \(count)") }
        try need(count, "skip")
        position += count
    }
}
