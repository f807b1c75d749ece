import Testing

@testable import Persistence

struct ByteCodingTests {
    @Test func fixedWidthRoundTrip() throws {
        var writer = ByteWriter()
        let u16: [UInt16] = [0, 1, 0x1234, .max]
        let u32: [UInt32] = [0, 1, 0xDEAD_BEEF, .max]
        let u64: [UInt64] = [0, 1, 0x0123_4567_89AB_CDEF, .max]
        let i64: [Int64] = [0, -1, 1, .min, .max]
        let doubles: [Double] = [0, -0.0, 1.5, -3.25e300, .infinity, -.infinity, .leastNonzeroMagnitude, .pi]
        for v in [UInt8(0), 7, 255] { writer.writeUInt8(v) }
        u16.forEach { writer.writeUInt16($0) }
        u32.forEach { writer.writeUInt32($0) }
        u64.forEach { writer.writeUInt64($0) }
        i64.forEach { writer.writeInt64($0) }
        doubles.forEach { writer.writeDouble($0) }
        writer.writeDouble(.nan)
        writer.writeBool(true)
        writer.writeBool(false)

        var reader = ByteReader(writer.bytes)
        #expect(try [reader.readUInt8(), reader.readUInt8(), reader.readUInt8()] == [0, 7, 255])
        #expect(try u16.map { _ in try reader.readUInt16() } == u16)
        #expect(try u32.map { _ in try reader.readUInt32() } == u32)
        #expect(try u64.map { _ in try reader.readUInt64() } == u64)
        #expect(try i64.map { _ in try reader.readInt64() } == i64)
        #expect(try doubles.map { _ in try reader.readDouble().bitPattern } == doubles.map(\.bitPattern))
        #expect(try reader.readDouble().isNaN)
        #expect(try reader.readBool() == true)
        #expect(try reader.readBool() == false)
        try reader.expectEnd()
    }

    @Test func littleEndianLayout() {
        var writer = ByteWriter()
        writer.writeUInt32(0x0403_0201)
        writer.writeUInt16(0x0605)
        #expect(writer.bytes == [1, 2, 3, 4, 5, 6])
    }

    @Test func varintRoundTripAndSizes() throws {
        let unsigned: [UInt64] = [0, 1, 127, 128, 255, 300, 16383, 16384, 1 << 32, (1 << 63) - 1, 1 << 63, .max]
        let signed: [Int64] = [0, -1, 1, -64, 63, -65, 64, .min, .max, -1_000_000, 1_000_000]
        var writer = ByteWriter()
        unsigned.forEach { writer.writeVarUInt($0) }
        signed.forEach { writer.writeVarInt($0) }
        var reader = ByteReader(writer.bytes)
        #expect(try unsigned.map { _ in try reader.readVarUInt() } == unsigned)
        #expect(try signed.map { _ in try reader.readVarInt() } == signed)
        try reader.expectEnd()

        var sizes = ByteWriter()
        sizes.writeVarUInt(127)
        #expect(sizes.count == 1)
        sizes.writeVarUInt(.max)
        #expect(sizes.count == 11)
        sizes.writeVarInt(-1)
        #expect(sizes.count == 12)
    }

    @Test func stringsOptionalsAndBytes() throws {
        let strings = ["", "a", "héllo wörld", "🙂 emoji 👨‍👩‍👧", String(repeating: "x", count: 70_000)]
        var writer = ByteWriter()
        strings.forEach { writer.writeString($0) }
        writer.writeOptionalString(nil)
        writer.writeOptionalString("present")
        writer.writeOptionalString("")
        writer.writeBytes([])
        writer.writeBytes([0, 1, 2, 255])
        writer.writeRaw([9, 9])

        var reader = ByteReader(writer.bytes)
        #expect(try strings.map { _ in try reader.readString() } == strings)
        #expect(try reader.readOptionalString() == nil)
        #expect(try reader.readOptionalString() == "present")
        #expect(try reader.readOptionalString() == "")
        #expect(try reader.readBytes() == [])
        #expect(try reader.readBytes() == [0, 1, 2, 255])
        #expect(try reader.readRaw(count: 2) == [9, 9])
        #expect(reader.isAtEnd)
    }

    @Test func truncatedInputsThrow() {
        #expect(errorCode { var r = ByteReader([]); _ = try r.readUInt8() } == .truncated)
        #expect(errorCode { var r = ByteReader([1, 2, 3]); _ = try r.readUInt32() } == .truncated)
        #expect(errorCode { var r = ByteReader([1, 2, 3, 4, 5, 6, 7]); _ = try r.readDouble() } == .truncated)
        #expect(errorCode { var r = ByteReader([0x80, 0x80]); _ = try r.readVarUInt() } == .truncated)
        #expect(errorCode { var r = ByteReader([5, 65, 66]); _ = try r.readString() } == .truncated)
        #expect(errorCode { var r = ByteReader([3, 1]); _ = try r.readBytes() } == .truncated)
        #expect(errorCode { var r = ByteReader([1]); _ = try r.readOptionalString() } == .truncated)
        #expect(errorCode { var r = ByteReader([1, 2]); _ = try r.readRaw(count: 3) } == .truncated)
        // A huge length must be rejected by comparison, not by trying to allocate it.
        var huge = ByteWriter()
        huge.writeVarUInt(.max)
        #expect(errorCode { var r = ByteReader(huge.bytes); _ = try r.readString() } == .truncated)
    }

    @Test func malformedInputsThrow() {
        let elevenBytes = [UInt8](repeating: 0x80, count: 10) + [0x01]
        #expect(errorCode { var r = ByteReader(elevenBytes); _ = try r.readVarUInt() } == .corrupt)
        // Ten bytes whose last carries more than the 64th bit overflows.
        let overflow = [UInt8](repeating: 0xFF, count: 9) + [0x02]
        #expect(errorCode { var r = ByteReader(overflow); _ = try r.readVarUInt() } == .corrupt)
        #expect(errorCode { var r = ByteReader([2]); _ = try r.readBool() } == .corrupt)
        #expect(errorCode { var r = ByteReader([2, 0xC3, 0x28]); _ = try r.readString() } == .corrupt)
        #expect(errorCode { var r = ByteReader([1, 0xFF]); _ = try r.readString() } == .corrupt)
        // A UTF-16 surrogate encoded as UTF-8 is invalid.
        #expect(errorCode { var r = ByteReader([3, 0xED, 0xA0, 0x80]); _ = try r.readString() } == .corrupt)
        #expect(errorCode { try ByteReader([1]).expectEnd() } == .corrupt)
    }

    @Test func failedReadDoesNotAdvance() throws {
        var reader = ByteReader([5, 65])
        #expect(throws: PersistenceError.self) { try reader.readString() }
        #expect(reader.offset == 1)  // the length was consumed, the string was not
        var fixed = ByteReader([1, 2])
        #expect(throws: PersistenceError.self) { try fixed.readUInt32() }
        #expect(fixed.offset == 0)
    }

    @Test func decodesAMillionRecordsQuickly() throws {
        // Shape of a chat message: ids, timestamps, short strings.
        let count = 1_000_000
        var writer = ByteWriter(capacity: count * 40)
        for i in 0..<count {
            writer.writeVarUInt(UInt64(i))
            writer.writeDouble(1_700_000_000 + Double(i))
            writer.writeString("user\(i % 100)")
            writer.writeString("hello world message number \(i % 1000)")
            writer.writeOptionalString(i % 10 == 0 ? "reply" : nil)
        }
        let bytes = writer.bytes
        let clock = ContinuousClock()
        var total = 0
        let elapsed = try clock.measure {
            var reader = ByteReader(bytes)
            for _ in 0..<count {
                total &+= Int(try reader.readVarUInt())
                _ = try reader.readDouble()
                total &+= try reader.readString().utf8.count
                total &+= try reader.readString().utf8.count
                total &+= try reader.readOptionalString()?.utf8.count ?? 0
            }
            try reader.expectEnd()
        }
        print("ByteReader: decoded \(count) message-shaped records (\(bytes.count) bytes) in \(elapsed)")
        #expect(total > 0)
    }
}
