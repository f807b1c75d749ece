extension ByteWriter {
    /// Width of a length written by ``beginLengthPrefix()``: 5 varint bytes hold up to 2^35 − 1.
    @usableFromInline static let paddedLengthWidth = 5

    /// Reserves room for a length that is only known once the value after it has been written.
    ///
    /// Encoding a value twice (once to measure it) would double the cost of a snapshot, so the length
    /// is written afterwards by ``endLengthPrefix(_:)`` as a padded varint, which ``ByteReader``'s
    /// ordinary `readVarUInt()` accepts (LEB128 allows redundant continuation bytes).
    /// - Returns: The position to pass to ``endLengthPrefix(_:)``.
    @inlinable
    public mutating func beginLengthPrefix() -> Int {
        let position = bytes.count
        for _ in 0..<Self.paddedLengthWidth { bytes.append(0) }
        return position
    }

    /// Fills in the length reserved at `position` with the number of bytes written since.
    @inlinable
    public mutating func endLengthPrefix(_ position: Int) throws(PersistenceError) {
        let width = Self.paddedLengthWidth
        var length = UInt64(bytes.count - position - width)
        guard length < (1 << (7 * width)) else {
            throw PersistenceError(.tooLarge, "length-prefixed value of \(length) bytes")
        }
        for index in 0..<width {
            let more: UInt8 = index < width - 1 ? 0x80 : 0
            bytes[position + index] = UInt8(truncatingIfNeeded: length & 0x7F) | more
            length >>= 7
        }
    }
}
