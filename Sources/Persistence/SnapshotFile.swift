#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Encodes and decodes snapshot files: a checksummed header followed by the compressed opaque body.
///
/// Byte layout (all integers little-endian):
///
/// | offset | size | field                                                        |
/// |-------:|-----:|--------------------------------------------------------------|
/// | 0      | 8    | magic, ASCII `CHATSNAP`                                      |
/// | 8      | 2    | format version, UInt16 = 1 or 2                              |
/// | 10     | 2    | flags, UInt16, opaque to this layer                          |
/// | 12     | 8    | creation time, Double bit pattern, Unix seconds              |
/// | 20     | 8    | covered LSN, UInt64 (journal records ≤ it are in the body)   |
/// | 28     | 8    | body size, UInt64, uncompressed                              |
/// | 36     | 8    | compressed size C, UInt64                                    |
/// | 44     | 4    | CRC-32 of the C compressed bytes                             |
/// | 48     | 2    | engine version length N, UInt16, ≤ 1024                      |
/// | 50     | N    | engine version, UTF-8                                        |
/// | 50+N   | 4    | CRC-32 of bytes 0 ..< 50+N (the header)                      |
/// | 54+N   | C    | version 1: one zlib stream (RFC 1950) of the body;           |
/// |        |      | version 2: the body in frames (``Zlib/compressFrames``)      |
///
/// The file is exactly 54 + N + C bytes; anything shorter is truncated, anything longer is corrupt.
/// A reader rejects a version newer than it knows before trusting any other field. Version 2 (framed,
/// so a restore inflates on every core) is written; version 1 files still load.
public enum SnapshotFile {
    /// The first 8 bytes of every snapshot file.
    public static let magic: [UInt8] = Array("CHATSNAP".utf8)
    /// The layout version this build writes and the newest it reads.
    public static let currentVersion: UInt16 = 2

    /// Builds a complete snapshot file.
    /// - Parameters:
    ///   - body: The encoded state.
    ///   - coveredLSN: The last journal record reflected in `body`.
    ///   - engineVersion: Recorded for diagnostics.
    ///   - flags: Opaque to this layer.
    ///   - createdAt: Unix seconds; defaults to now.
    ///   - level: zlib compression level.
    ///   - formatVersion: 2 (framed) unless a test needs the layout of older builds.
    ///   - frameSize: Raw bytes per frame in version 2.
    public static func encode(
        body: [UInt8], coveredLSN: UInt64, engineVersion: String, flags: UInt16 = 0,
        createdAt: Double = unixNow(), level: Int32 = 6, formatVersion: UInt16 = currentVersion,
        frameSize: Int = Zlib.defaultFrameSize
    ) throws -> [UInt8] {
        let (header, compressed) = try encodeParts(
            body: body, coveredLSN: coveredLSN, engineVersion: engineVersion, flags: flags,
            createdAt: createdAt, level: level, formatVersion: formatVersion, frameSize: frameSize)
        var file = try header.encoded()
        file.append(contentsOf: compressed)
        return file
    }

    /// Compresses the body and describes it, leaving the caller to write header and stream without concatenating.
    static func encodeParts(
        body: [UInt8], coveredLSN: UInt64, engineVersion: String, flags: UInt16, createdAt: Double, level: Int32,
        formatVersion: UInt16 = currentVersion, frameSize: Int = Zlib.defaultFrameSize
    ) throws -> (SnapshotHeader, [UInt8]) {
        precondition((1...currentVersion).contains(formatVersion))
        let compressed = formatVersion == 1
            ? try Zlib.compress(body, level: level)
            : try Zlib.compressFrames(body, level: level, frameSize: frameSize)
        let header = SnapshotHeader(
            formatVersion: formatVersion, flags: flags, createdAt: createdAt, engineVersion: engineVersion, coveredLSN: coveredLSN,
            bodySize: UInt64(body.count), compressedSize: UInt64(compressed.count),
            bodyCRC32: CRC32.checksum(compressed))
        return (header, compressed)
    }

    /// Reads and verifies only the header, without touching the body.
    public static func readHeader(from bytes: [UInt8]) throws -> SnapshotHeader {
        try SnapshotHeader.parse(bytes)
    }

    /// Reads and verifies only the header of the file at `path`, reading at most ~1 KiB.
    public static func readHeader(atPath path: String) throws -> SnapshotHeader {
        let fd = try FileIO.openForReading(path)
        defer { FileIO.close(fd) }
        return try SnapshotHeader.parse(FileIO.read(fd, count: SnapshotHeader.maxEncodedSize, at: 0, path: path))
    }

    /// Verifies header, sizes and checksums, then inflates the body.
    /// - Parameters:
    ///   - bytes: A whole snapshot file.
    ///   - limit: Largest body accepted, so a damaged size field cannot exhaust memory.
    public static func decode(_ bytes: [UInt8], limit: Int) throws -> (header: SnapshotHeader, body: [UInt8]) {
        let header = try SnapshotHeader.parse(bytes)
        let start = header.encodedSize
        let available = UInt64(bytes.count - start)
        guard available >= header.compressedSize else {
            throw PersistenceError(.truncated, "snapshot body is \(available) bytes, header says \(header.compressedSize)")
        }
        guard available == header.compressedSize else {
            throw PersistenceError(.corrupt, "\(available - header.compressedSize) trailing bytes after the snapshot body")
        }
        guard header.bodySize <= UInt64(limit) else {
            throw PersistenceError(.tooLarge, "snapshot body is \(header.bodySize) bytes, limit \(limit)")
        }
        let crc = bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        guard crc == header.bodyCRC32 else {
            throw PersistenceError(.checksumMismatch, "snapshot body CRC mismatch")
        }
        guard header.formatVersion >= 2 else {
            // A copy of the compressed bytes is cheap next to inflating them.
            let body = try Zlib.decompress(Array(bytes[start...]), expectedSize: Int(header.bodySize), limit: limit)
            return (header, body)
        }
        return (header, try Zlib.decompressFrames(bytes, from: start, bodySize: Int(header.bodySize)))
    }

    /// The current time in Unix seconds.
    public static func unixNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
