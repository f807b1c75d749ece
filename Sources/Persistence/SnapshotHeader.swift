/// The fixed header at the start of a snapshot file; see ``SnapshotFile`` for the byte layout.
public struct SnapshotHeader: Sendable, Hashable {
    /// Format version of the file layout (not of the body encoding, which `flags` or the body itself carries).
    public var formatVersion: UInt16
    /// Opaque to this layer: the caller's body-encoding options.
    public var flags: UInt16
    /// When the snapshot was taken, in Unix seconds.
    public var createdAt: Double
    /// Version string of the engine that wrote it, for diagnostics.
    public var engineVersion: String
    /// Every journal record with an LSN up to and including this one is reflected in the body.
    public var coveredLSN: UInt64
    /// Size of the body once inflated.
    public var bodySize: UInt64
    /// Size of the zlib stream that follows the header.
    public var compressedSize: UInt64
    /// CRC-32 of the zlib stream, checkable without inflating it.
    public var bodyCRC32: UInt32

    /// Creates a header.
    public init(
        formatVersion: UInt16 = SnapshotFile.currentVersion, flags: UInt16 = 0, createdAt: Double,
        engineVersion: String, coveredLSN: UInt64, bodySize: UInt64, compressedSize: UInt64,
        bodyCRC32: UInt32
    ) {
        self.formatVersion = formatVersion
        self.flags = flags
        self.createdAt = createdAt
        self.engineVersion = engineVersion
        self.coveredLSN = coveredLSN
        self.bodySize = bodySize
        self.compressedSize = compressedSize
        self.bodyCRC32 = bodyCRC32
    }

    /// Bytes this header occupies in the file, including its own CRC.
    public var encodedSize: Int { Self.fixedSize + engineVersion.utf8.count + 4 }

    /// Bytes before the engine version string.
    static let fixedSize = 50
    /// Keeps a damaged length field from asking for megabytes of "header".
    static let maxEngineVersionBytes = 1024
    /// Enough bytes to parse any valid header.
    static let maxEncodedSize = fixedSize + maxEngineVersionBytes + 4

    // MARK: Encoding

    /// The header's bytes, ending with the CRC-32 of everything before it.
    func encoded() throws -> [UInt8] {
        let version = Array(engineVersion.utf8)
        guard version.count <= Self.maxEngineVersionBytes else {
            throw PersistenceError(.tooLarge, "engine version is \(version.count) bytes, max \(Self.maxEngineVersionBytes)")
        }
        var writer = ByteWriter(capacity: Self.fixedSize + version.count + 4)
        writer.writeRaw(SnapshotFile.magic)
        writer.writeUInt16(formatVersion)
        writer.writeUInt16(flags)
        writer.writeDouble(createdAt)
        writer.writeUInt64(coveredLSN)
        writer.writeUInt64(bodySize)
        writer.writeUInt64(compressedSize)
        writer.writeUInt32(bodyCRC32)
        writer.writeUInt16(UInt16(version.count))
        writer.writeRaw(version)
        writer.writeUInt32(CRC32.checksum(writer.bytes))
        return writer.bytes
    }

    /// Parses and verifies a header from the start of `bytes` (which may hold more than the header).
    ///
    /// Checks run in the order that gives the most useful error: magic, then version (a newer layout
    /// may place the CRC elsewhere), then length, then the header CRC.
    static func parse(_ bytes: [UInt8]) throws -> SnapshotHeader {
        let magic = SnapshotFile.magic
        guard bytes.count >= magic.count else {
            if bytes.elementsEqual(magic.prefix(bytes.count)) {
                throw PersistenceError(.truncated, "snapshot is \(bytes.count) bytes, shorter than its magic")
            }
            throw PersistenceError(.badMagic, "not a snapshot file")
        }
        guard bytes[0..<magic.count].elementsEqual(magic) else {
            throw PersistenceError(.badMagic, "not a snapshot file")
        }
        var reader = ByteReader(bytes, offset: magic.count)
        let version = try reader.readUInt16()
        guard version <= SnapshotFile.currentVersion else {
            throw PersistenceError(.unsupportedVersion, "snapshot format \(version), this build reads up to \(SnapshotFile.currentVersion)")
        }
        guard version >= 1 else { throw PersistenceError(.corrupt, "snapshot format version 0") }
        let flags = try reader.readUInt16()
        let createdAt = try reader.readDouble()
        let coveredLSN = try reader.readUInt64()
        let bodySize = try reader.readUInt64()
        let compressedSize = try reader.readUInt64()
        let bodyCRC = try reader.readUInt32()
        let versionLength = Int(try reader.readUInt16())
        guard versionLength <= maxEngineVersionBytes else {
            throw PersistenceError(.corrupt, "engine version length \(versionLength) is absurd")
        }
        let versionBytes = try reader.readRaw(count: versionLength)
        let headerEnd = reader.offset
        let storedCRC = try reader.readUInt32()
        guard CRC32.checksum(Array(bytes[0..<headerEnd])) == storedCRC else {
            throw PersistenceError(.checksumMismatch, "snapshot header CRC mismatch")
        }
        guard let engineVersion = String(validating: versionBytes, as: UTF8.self) else {
            throw PersistenceError(.corrupt, "engine version is not UTF-8")
        }
        return SnapshotHeader(
            formatVersion: version, flags: flags, createdAt: createdAt, engineVersion: engineVersion,
            coveredLSN: coveredLSN, bodySize: bodySize, compressedSize: compressedSize, bodyCRC32: bodyCRC)
    }
}
