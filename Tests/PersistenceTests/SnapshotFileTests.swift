import Testing

@testable import Persistence

struct SnapshotFileTests {
    let body = compressibleBytes(200_000, seed: 10)

    func encoded() throws -> [UInt8] {
        try SnapshotFile.encode(body: body, coveredLSN: 42, engineVersion: "1.2.3", flags: 7, createdAt: 1_700_000_000.5)
    }

    @Test func roundTrip() throws {
        let file = try encoded()
        #expect(Array(file.prefix(8)) == Array("CHATSNAP".utf8))
        let (header, decoded) = try SnapshotFile.decode(file, limit: 1 << 20)
        #expect(decoded == body)
        #expect(header.coveredLSN == 42)
        #expect(header.engineVersion == "1.2.3")
        #expect(header.flags == 7)
        #expect(header.createdAt == 1_700_000_000.5)
        #expect(header.formatVersion == 2)
        #expect(header.bodySize == UInt64(body.count))
        #expect(Int(header.compressedSize) == file.count - header.encodedSize)
    }

    @Test func headerReadableWithoutBody() throws {
        let file = try encoded()
        let header = try SnapshotFile.readHeader(from: try encoded())
        // Only the header bytes are needed.
        #expect(try SnapshotFile.readHeader(from: Array(file.prefix(header.encodedSize))) == header)
        try withTempDirectory { dir in
            let path = dir + "/snapshot-test.chatsnap"
            try writeFile(path, file)
            #expect(try SnapshotFile.readHeader(atPath: path) == header)
        }
    }

    @Test func bodyBitFlipIsChecksumMismatch() throws {
        var file = try encoded()
        file[file.count - 10] ^= 0x01
        #expect(errorCode { _ = try SnapshotFile.decode(file, limit: 1 << 20) } == .checksumMismatch)
        // The header alone still verifies: the damage is only found when the body is checked.
        #expect(throws: Never.self) { try SnapshotFile.readHeader(from: file) }
    }

    @Test func headerBitFlipIsChecksumMismatch() throws {
        var file = try encoded()
        file[22] ^= 0x01  // inside the covered LSN
        #expect(errorCode { _ = try SnapshotFile.readHeader(from: file) } == .checksumMismatch)
    }

    @Test func truncatedFileThrows() throws {
        let file = try encoded()
        let header = try SnapshotFile.readHeader(from: file)
        for cut in [0, 4, 20, header.encodedSize - 1, header.encodedSize, file.count - 1] {
            #expect(errorCode { _ = try SnapshotFile.decode(Array(file.prefix(cut)), limit: 1 << 20) } == .truncated)
        }
        #expect(errorCode { _ = try SnapshotFile.decode(file + [0], limit: 1 << 20) } == .corrupt)
    }

    @Test func badMagicThrows() throws {
        var file = try encoded()
        file[0] = UInt8(ascii: "X")
        #expect(errorCode { _ = try SnapshotFile.decode(file, limit: 1 << 20) } == .badMagic)
        #expect(errorCode { _ = try SnapshotFile.readHeader(from: Array("hello".utf8)) } == .badMagic)
    }

    @Test func futureVersionIsUnsupported() throws {
        var file = try encoded()
        file[8] = UInt8(SnapshotFile.currentVersion + 1)  // version field, checked before the header CRC
        #expect(errorCode { _ = try SnapshotFile.decode(file, limit: 1 << 20) } == .unsupportedVersion)
    }

    // MARK: Format 2: frames

    /// Files of format 1 (one zlib stream), as builds before frames wrote them, still load.
    @Test func formatOneStillLoads() throws {
        let file = try SnapshotFile.encode(
            body: body, coveredLSN: 42, engineVersion: "1.2.3", flags: 7, createdAt: 1_700_000_000.5, formatVersion: 1)
        let header = try SnapshotFile.readHeader(from: file)
        #expect(header.formatVersion == 1)
        // Format 1's payload is exactly the zlib stream of the body.
        #expect(try Zlib.decompress(Array(file[header.encodedSize...]), limit: 1 << 20) == body)
        let (decoded, restored) = try SnapshotFile.decode(file, limit: 1 << 20)
        #expect(restored == body)
        #expect(decoded.coveredLSN == 42)
    }

    @Test(arguments: [1000, 65_536, 199_999, 200_000, 1 << 20])
    func framesOfAnySizeRoundTrip(frameSize: Int) throws {
        let file = try SnapshotFile.encode(
            body: body, coveredLSN: 1, engineVersion: "", createdAt: 1, frameSize: frameSize)
        #expect(try SnapshotFile.decode(file, limit: 1 << 20).body == body)
    }

    @Test func damagedFrameTablesThrow() throws {
        let frames = try Zlib.compressFrames(body, level: 6, frameSize: 50_000)
        #expect(try Zlib.decompressFrames(frames, from: 0, bodySize: body.count) == body)
        // Sizes that disagree with the header or the payload, a frame that inflates to the wrong size,
        // absurd counts, cut payloads: all throw, none traps.
        #expect(errorCode { _ = try Zlib.decompressFrames(frames, from: 0, bodySize: body.count + 1) } == .corrupt)
        for cut in [0, 3, 4, 20, 36, frames.count - 1] {
            #expect(throws: PersistenceError.self) { _ = try Zlib.decompressFrames(Array(frames.prefix(cut)), from: 0, bodySize: body.count) }
        }
        var count = frames
        count[0] = 0xFF
        #expect(throws: PersistenceError.self) { _ = try Zlib.decompressFrames(count, from: 0, bodySize: body.count) }
        var sizes = frames
        // The first frame's entry one byte longer, the second's one shorter: the totals agree, but each
        // frame inflates to another size than its entry says.
        sizes[4] &+= 1
        sizes[12] &-= 1
        #expect(throws: PersistenceError.self) { _ = try Zlib.decompressFrames(sizes, from: 0, bodySize: body.count) }
        var data = frames
        data[data.count / 2] ^= 0x5A
        #expect(throws: PersistenceError.self) { _ = try Zlib.decompressFrames(data, from: 0, bodySize: body.count) }
    }

    @Test func limitIsEnforcedBeforeInflating() throws {
        let file = try encoded()
        #expect(errorCode { _ = try SnapshotFile.decode(file, limit: 1000) } == .tooLarge)
    }
}
