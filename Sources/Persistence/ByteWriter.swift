/// Appends values in a compact little-endian binary encoding; the counterpart of ``ByteReader``.
///
/// Methods are `@inlinable` so encoders in other modules get them specialised and inlined:
/// encoding a million messages is a hot loop.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8]

    /// Creates an empty writer.
    /// - Parameter capacity: Bytes to reserve up front, to avoid regrowing while encoding large states.
    @inlinable
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Number of bytes written so far.
    @inlinable
    public var count: Int { bytes.count }

    /// Reserves room for at least `additional` more bytes.
    @inlinable
    public mutating func reserveCapacity(additional: Int) {
        bytes.reserveCapacity(bytes.count + additional)
    }

    // MARK: Fixed-width

    @inlinable
    public mutating func writeUInt8(_ value: UInt8) {
        bytes.append(value)
    }

    @inlinable
    public mutating func writeUInt16(_ value: UInt16) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable
    public mutating func writeUInt32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable
    public mutating func writeUInt64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable
    public mutating func writeInt64(_ value: Int64) {
        writeUInt64(UInt64(bitPattern: value))
    }

    /// Writes the IEEE 754 bit pattern, so every value (NaN payloads, -0) round-trips exactly.
    @inlinable
    public mutating func writeDouble(_ value: Double) {
        writeUInt64(value.bitPattern)
    }

    @inlinable
    public mutating func writeBool(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    // MARK: Variable-width

    /// Writes an unsigned LEB128 varint (1–10 bytes).
    @inlinable
    public mutating func writeVarUInt(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Writes a signed value as a zig-zag LEB128 varint, so small negative numbers stay short.
    @inlinable
    public mutating func writeVarInt(_ value: Int64) {
        writeVarUInt(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Writes a varint byte count followed by the UTF-8 bytes.
    @inlinable
    public mutating func writeString(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            writeVarUInt(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// Writes a varint byte count followed by UTF-8 bytes: the same bytes as ``writeString(_:)``.
    @inlinable
    public mutating func writeUTF8(_ utf8: UnsafeBufferPointer<UInt8>) {
        writeVarUInt(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Writes a presence byte (0 or 1), then the string if present.
    @inlinable
    public mutating func writeOptionalString(_ value: String?) {
        if let value {
            bytes.append(1)
            writeString(value)
        } else {
            bytes.append(0)
        }
    }

    /// Writes a varint length followed by the bytes.
    @inlinable
    public mutating func writeBytes(_ value: [UInt8]) {
        writeVarUInt(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Writes the bytes with no length prefix (the reader must know the count).
    @inlinable
    public mutating func writeRaw(_ value: [UInt8]) {
        bytes.append(contentsOf: value)
    }
}
