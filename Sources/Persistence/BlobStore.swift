import Foundation

/// File contents under the data directory, one file per content hash (`files/<sha256>`), written
/// atomically so a crash never leaves a half blob under its final name.
public final class BlobStore: Sendable {
    public let directory: String

    /// Opens (creating) `directory` and removes temp files a crash left behind.
    public init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".tmp") {
            try? FileManager.default.removeItem(atPath: path(name))
        }
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// Whether a blob named `name` (a hex digest) is stored.
    public func contains(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: path(name))
    }

    /// Stores `bytes` as `name` unless a blob of that name exists already (same content, same hash).
    public func store(_ bytes: [UInt8], as name: String) throws {
        guard Self.isDigest(name) else { throw PersistenceError(.io, "invalid blob name \(name)") }
        if contains(name) { return }
        let temporary = path("\(name).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw PersistenceError(.io, "could not write \(temporary)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        try handle.synchronize()
        try handle.close()
        if rename(temporary, path(name)) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw PersistenceError(.io, "could not rename blob \(name)", errno: errno)
        }
    }

    /// Up to `length` bytes from `offset` of blob `name`, and the blob's total size.
    public func read(_ name: String, offset: Int, length: Int) throws -> (bytes: [UInt8], size: Int) {
        guard Self.isDigest(name) else { throw PersistenceError(.io, "invalid blob name \(name)") }
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path(name)))
        defer { try? handle.close() }
        let size = Int(try handle.seekToEnd())
        guard offset < size else { return ([], size) }
        try handle.seek(toOffset: UInt64(offset))
        let data = try handle.read(upToCount: min(length, size - offset)) ?? Data()
        return (Array(data), size)
    }

    /// Deletes blob `name`, if present.
    public func remove(_ name: String) {
        guard Self.isDigest(name) else { return }
        try? FileManager.default.removeItem(atPath: path(name))
    }

    /// Names of every stored blob.
    public func names() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter(Self.isDigest)
    }

    /// A lower-case hex SHA-256: the only names this store accepts, so no path can escape the folder.
    static func isDigest(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
