/// Naming, header and record framing of journal files; the layout is documented on ``Journal``.
enum JournalFile {
    static let magic: [UInt8] = Array("CHATJRNL".utf8)
    static let currentVersion: UInt16 = 1
    static let headerSize = 12
    static let recordHeaderSize = 16
    /// A length above this is damage, not a record: no state change is that large.
    static let maxPayload = 64 * 1024 * 1024
    static let prefix = "journal-"
    static let suffix = ".chatlog"
    /// Appended to files replay set aside because they follow a gap.
    static let quarantineSuffix = ".corrupt"

    static let header: [UInt8] = {
        var writer = ByteWriter(capacity: headerSize)
        writer.writeRaw(magic)
        writer.writeUInt16(currentVersion)
        writer.writeUInt16(0)
        return writer.bytes
    }()

    static func name(firstLSN: UInt64) -> String {
        let lsn = String(firstLSN)
        return prefix + String(repeating: "0", count: max(0, 20 - lsn.count)) + lsn + suffix
    }

    static func parse(name: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        return UInt64(name.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// Journal files in `directory` as (first LSN, path), in LSN order.
    static func list(_ directory: String) throws -> [(firstLSN: UInt64, path: String)] {
        try FileIO.list(directory).compactMap { name in
            parse(name: name).map { ($0, directory + "/" + name) }
        }.sorted { $0.firstLSN < $1.firstLSN }
    }

    /// One well-formed record: its LSN and where its payload lies in the file.
    struct Record {
        var lsn: UInt64
        var payload: Range<Int>
    }

    /// The whole records of a file, and where and why reading stopped early, if it did.
    struct Scan {
        var records: [Record] = []
        /// Offset just past the last whole record (or the header): where a damaged file is cut.
        var validEnd = 0
        var damage: PersistenceError?
    }

    /// Splits a file into records, stopping at the first one that is incomplete or fails its checks.
    ///
    /// Only a newer format version throws: that file is not damaged, this build is too old.
    static func scan(_ bytes: [UInt8]) throws -> Scan {
        var scan = Scan()
        guard bytes.count >= headerSize else {
            let isPrefix = bytes.elementsEqual(header.prefix(bytes.count))
            scan.damage = PersistenceError(
                isPrefix ? .truncated : .badMagic, "journal header is \(bytes.count) bytes")
            return scan
        }
        guard bytes[0..<magic.count].elementsEqual(magic) else {
            scan.damage = PersistenceError(.badMagic, "not a journal file")
            return scan
        }
        var reader = ByteReader(bytes, offset: magic.count)
        let version = try reader.readUInt16()
        guard version <= currentVersion else {
            throw PersistenceError(.unsupportedVersion, "journal format \(version), this build reads up to \(currentVersion)")
        }
        scan.validEnd = headerSize
        var offset = headerSize
        var previous: UInt64?
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                guard raw.count - offset >= recordHeaderSize else {
                    scan.damage = PersistenceError(.truncated, "partial record header at offset \(offset)")
                    return
                }
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                let storedCRC = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                let lsn = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
                guard length <= maxPayload else {
                    scan.damage = PersistenceError(.tooLarge, "record length \(length) at offset \(offset)")
                    return
                }
                let end = offset + recordHeaderSize + length
                guard end <= raw.count else {
                    scan.damage = PersistenceError(.truncated, "record at offset \(offset) runs past the end")
                    return
                }
                let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[(offset + 8)..<end]))
                guard crc == storedCRC else {
                    scan.damage = PersistenceError(.checksumMismatch, "record CRC mismatch at offset \(offset)")
                    return
                }
                // Appends hold a lock from LSN assignment to write, so a file's LSNs are consecutive.
                if let previous, lsn != previous + 1 {
                    scan.damage = PersistenceError(.corrupt, "LSN \(lsn) after \(previous) at offset \(offset)")
                    return
                }
                scan.records.append(Record(lsn: lsn, payload: (offset + recordHeaderSize)..<end))
                previous = lsn
                offset = end
                scan.validEnd = end
            }
        }
        return scan
    }
}
