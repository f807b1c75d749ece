extension Journal {
    /// Feeds every whole record with an LSN above `after` to `body`, in LSN order, repairing damage.
    ///
    /// Policy, chosen so the journal always stays one gapless run of LSNs:
    /// - A file is read up to its last whole, checksummed record; the damaged rest (torn write,
    ///   bad CRC, absurd length, out-of-order LSN) is dropped, the file is truncated there and fsynced,
    ///   and the damage is reported. Records after a bad one in the same file are never applied.
    /// - The next file is read only if it continues the sequence: its first LSN must not exceed
    ///   max(last whole LSN, `after`) + 1. Otherwise records were lost in between, and applying later
    ///   ones would build a state that never existed: that file and all later ones are renamed to
    ///   `<name>.corrupt` (kept for inspection, ignored from then on) and reported.
    /// - A file too short to hold its header (a crash while creating it) is removed; a file with a
    ///   wrong magic is set aside like a gap.
    /// - A file written by a newer format version throws `.unsupportedVersion`: this build is too old,
    ///   the data is not damaged, so nothing is touched.
    ///
    /// Errors from `body` and from the file system propagate; damage never throws.
    public static func replay(
        directory: String, after: UInt64, _ body: (UInt64, [UInt8]) throws -> Void
    ) throws -> ReplayReport {
        var report = ReplayReport()
        let files = try JournalFile.list(directory)
        for (index, file) in files.enumerated() {
            let bytes = try FileIO.readFile(file.path)
            let scan = try JournalFile.scan(bytes)
            if scan.damage?.code == .badMagic && bytes.count >= JournalFile.headerSize {
                try quarantine([file.path], in: directory, into: &report)
                continue
            }
            let expected = max(report.lastLSN, after) &+ 1
            if let first = scan.records.first, first.lsn > expected {
                try quarantine(files[index...].map(\.path), in: directory, into: &report)
                break
            }
            report.filesRead += 1
            for record in scan.records {
                // A record at or below what is already applied is covered (an overlapping file).
                guard record.lsn > max(report.lastLSN, after) else {
                    report.recordsSkipped += 1
                    report.lastLSN = max(report.lastLSN, record.lsn)
                    continue
                }
                try body(record.lsn, Array(bytes[record.payload]))
                report.recordsApplied += 1
                report.lastLSN = record.lsn
            }
            if let damage = scan.damage {
                try cut(file.path, at: scan.validEnd, size: bytes.count)
                report.damage.append(
                    Damage(path: file.path, offset: scan.validEnd, bytesDropped: bytes.count - scan.validEnd, error: damage))
            }
        }
        return report
    }

    /// Truncates a damaged file after its last whole record, or removes it if even the header is incomplete.
    private static func cut(_ path: String, at offset: Int, size: Int) throws {
        if offset < JournalFile.headerSize {
            try FileIO.unlink(path)
            return
        }
        let fd = try FileIO.openForUpdate(path)
        defer { FileIO.close(fd) }
        try FileIO.truncate(fd, to: offset, path: path)
        try FileIO.fsync(fd, path: path)
    }

    private static func quarantine(_ paths: [String], in directory: String, into report: inout ReplayReport) throws {
        for path in paths {
            try FileIO.rename(path, path + JournalFile.quarantineSuffix)
            report.quarantined.append(path + JournalFile.quarantineSuffix)
        }
        try FileIO.fsyncDirectory(directory)
    }
}
