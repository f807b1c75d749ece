import Foundation

/// File contents under the data directory, one file per content hash (`files/<sha256>`), written
/// atomically so a crash never leaves a half blob under its final name. Created owner-only, like
/// everything else the engine writes (``FileIO``).
public final class BlobStore: Sendable {
    public let directory: String

    /// Opens (creating) `directory` and removes temp files a crash left behind.
    public init(directory: String) throws {
        self.directory = directory
        try FileIO.makeDirectory(directory)
        for name in (try? FileIO.list(directory)) ?? [] where name.hasSuffix(".tmp") {
            try? FileIO.unlink(path(name))
        }
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// Whether a blob named `name` (a hex digest) is stored.
    public func contains(_ name: String) -> Bool {
        access(path(name), F_OK) == 0
    }

    /// Stores `bytes` as `name` unless a blob of that name exists already (same content, same hash).
    public func store(_ bytes: [UInt8], as name: String) throws {
        guard Self.isDigest(name) else { throw PersistenceError(.io, "invalid blob name \(name)") }
        if contains(name) { return }
        let temporary = path("\(name).\(UUID().uuidString).tmp")
        let fd = try FileIO.create(temporary)
        do {
            try FileIO.writeAll(fd, bytes, path: temporary)
            try FileIO.fsync(fd, path: temporary)
            FileIO.close(fd)
            try FileIO.rename(temporary, path(name))
        } catch {
            FileIO.close(fd)
            try? FileIO.unlink(temporary)
            throw error
        }
        // The journal records the file right after: its blob must not vanish in a crash that keeps the record.
        try FileIO.fsyncDirectory(directory)
    }

    /// Up to `length` bytes from `offset` of blob `name`, and the blob's total size.
    public func read(_ name: String, offset: Int, length: Int) throws -> (bytes: [UInt8], size: Int) {
        guard Self.isDigest(name) else { throw PersistenceError(.io, "invalid blob name \(name)") }
        let blob = path(name)
        let fd = try FileIO.openForReading(blob)
        defer { FileIO.close(fd) }
        let size = try FileIO.fileSize(fd, path: blob)
        guard offset < size else { return ([], size) }
        return (try FileIO.read(fd, count: min(length, size - offset), at: offset, path: blob), size)
    }

    /// Deletes blob `name`, if present.
    public func remove(_ name: String) {
        guard Self.isDigest(name) else { return }
        try? FileIO.unlink(path(name))
    }

    /// Names of every stored blob.
    public func names() -> [String] {
        ((try? FileIO.list(directory)) ?? []).filter(Self.isDigest)
    }

    /// Bytes still free for the engine on the disk holding the blobs (the data directory's disk).
    public func availableBytes() throws -> Int {
        try FileIO.availableBytes(directory)
    }

    /// A lower-case hex SHA-256: the only names this store accepts, so no path can escape the folder.
    static func isDigest(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
