import CZlib

/// An incremental CRC-32 (IEEE, as in zlib and gzip) computed by zlib's `crc32`.
public struct CRC32: Sendable, Hashable {
    /// The checksum of everything fed so far.
    public private(set) var value: UInt32 = 0

    /// Creates a checksum of no bytes.
    public init() {}

    /// Feeds raw bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return }
        var left = bytes.count
        var crc = uLong(value)
        // zlib takes a 32-bit length; feed huge buffers in slices.
        while left > 0 {
            let chunk = min(left, 1 << 30)
            crc = crc32(crc, base, uInt(chunk))
            base += chunk
            left -= chunk
        }
        value = UInt32(truncatingIfNeeded: crc)
    }

    /// Feeds bytes.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Feeds a slice of bytes.
    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// The CRC-32 of raw bytes.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}
