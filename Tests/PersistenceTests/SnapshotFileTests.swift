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
        #expect(header.formatVersion == 1)
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
        file[8] = 2  // version field, checked before the header CRC
        #expect(errorCode { _ = try SnapshotFile.decode(file, limit: 1 << 20) } == .unsupportedVersion)
    }

    @Test func limitIsEnforcedBeforeInflating() throws {
        let file = try encoded()
        #expect(errorCode { _ = try SnapshotFile.decode(file, limit: 1000) } == .tooLarge)
    }
}
