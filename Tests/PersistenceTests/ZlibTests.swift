import Testing

@testable import Persistence

struct ZlibTests {
    static let megabyte = 1 << 20

    @Test func crc32KnownValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        var incremental = CRC32()
        incremental.update(Array("1234".utf8))
        incremental.update(Array("56789".utf8))
        #expect(incremental.value == 0xCBF4_3926)
    }

    @Test(arguments: [false, true])
    func roundTripOneMegabyte(compressible: Bool) throws {
        let data = compressible
            ? compressibleBytes(Self.megabyte, seed: 1) : randomBytes(Self.megabyte, seed: 2)
        let clock = ContinuousClock()
        var compressed: [UInt8] = []
        let deflateTime = try clock.measure { compressed = try Zlib.compress(data) }
        var restored: [UInt8] = []
        let inflateTime = try clock.measure {
            restored = try Zlib.decompress(compressed, expectedSize: data.count, limit: data.count)
        }
        #expect(restored == data)
        if compressible {
            #expect(compressed.count < data.count / 3)
        }
        #expect(try Zlib.decompress(compressed, limit: data.count) == data)
        print("zlib \(compressible ? "text" : "random") 1 MiB → \(compressed.count) B, deflate \(deflateTime), inflate \(inflateTime)")
    }

    @Test func emptyRoundTrip() throws {
        let compressed = try Zlib.compress([])
        #expect(try Zlib.decompress(compressed, expectedSize: 0, limit: 0) == [])
    }

    @Test func truncatedStreamThrows() throws {
        let compressed = try Zlib.compress(randomBytes(100_000, seed: 3))
        for cut in [0, 1, 2, compressed.count / 2, compressed.count - 1] {
            #expect(errorCode { _ = try Zlib.decompress(Array(compressed.prefix(cut)), limit: 1 << 20) } == .truncated)
        }
    }

    @Test func corruptStreamThrows() throws {
        var compressed = try Zlib.compress(compressibleBytes(100_000, seed: 4))
        // Flipping bits in the middle breaks either the deflate data or the Adler-32 trailer.
        compressed[compressed.count / 2] ^= 0xFF
        let code = errorCode { _ = try Zlib.decompress(compressed, limit: 1 << 20) }
        #expect(code == .corrupt || code == .truncated)
        #expect(errorCode { _ = try Zlib.decompress([0x12, 0x34, 0x56], limit: 100) } == .corrupt)
        // Trailing bytes after a complete stream are not silently ignored.
        let extra = try Zlib.compress([1, 2, 3]) + [0]
        #expect(errorCode { _ = try Zlib.decompress(extra, limit: 100) } == .corrupt)
    }

    @Test func limitIsEnforced() throws {
        let bomb = try Zlib.compress([UInt8](repeating: 0, count: 4 * Self.megabyte))
        #expect(bomb.count < 10_000)
        #expect(errorCode { _ = try Zlib.decompress(bomb, limit: Self.megabyte) } == .tooLarge)
        #expect(errorCode { _ = try Zlib.decompress(bomb, expectedSize: 4 * Self.megabyte, limit: 10) } == .tooLarge)
        #expect(try Zlib.decompress(bomb, limit: 4 * Self.megabyte).count == 4 * Self.megabyte)
    }

    @Test func expectedSizeMismatchThrows() throws {
        let compressed = try Zlib.compress([1, 2, 3, 4])
        #expect(errorCode { _ = try Zlib.decompress(compressed, expectedSize: 5, limit: 100) } == .corrupt)
    }
}
