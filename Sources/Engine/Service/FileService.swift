import Actors
import Crypto
import Foundation
import Persistence
import Synchronization

/// Files: uploads in one message or in chunks (any order, duplicates tolerated), assembled, hashed and
/// stored once per content; metadata journaled; access for members of rooms the file was shared in.
final class FileService: Sendable {
    struct PendingUpload {
        var roomId: String
        var total: Int
        var parts: [Int: [UInt8]] = [:]
        var bytes = 0
        var name: String?
        var mime: String?
    }

    let services: ChatServices
    let blobs: BlobStore
    private let uploads = Mutex<[String: PendingUpload]>([:])
    private let files = Mutex<[String: StoredFile]>([:])
    /// Largest decoded chunk (and single upload).
    static let maxChunkBytes = 1024 * 1024
    /// Uploads one user may have in progress at once.
    static let maxUploadsPerUser = 4

    init(services: ChatServices, blobs: BlobStore) {
        self.services = services
        self.blobs = blobs
    }

    /// Restores metadata from a snapshot and journal.
    func restore(_ stored: [StoredFile]) {
        files.withLock { files in
            for file in stored { files[file.info.fileId] = file }
        }
    }

    /// Every file's metadata, for snapshots.
    var all: [StoredFile] { files.withLock { Array($0.values) } }

    // MARK: Uploads

    /// Adds one chunk; returns the stored file once every chunk arrived, nil while parts are missing.
    func addChunk(
        user: String, uploadId: String, roomId: String, index: Int, total: Int, data: [UInt8],
        name: String?, mime: String?, now: Double
    ) throws(ChatError) -> (file: StoredFile?, received: Int) {
        let key = "\(user)\u{0}\(uploadId)"
        let maxSize = services.configuration.maxFileSize
        let outcome: Result<PendingUpload?, ChatError> = uploads.withLock { uploads in
            var upload = uploads[key] ?? PendingUpload(roomId: roomId, total: total)
            if uploads[key] == nil {
                let mine = uploads.keys.filter { $0.hasPrefix("\(user)\u{0}") }.count
                guard mine < Self.maxUploadsPerUser else {
                    return .failure(ChatError(.rateLimited, "too many uploads in progress", retryAfter: 1))
                }
            }
            guard upload.total == total, upload.roomId == roomId else {
                return .failure(ChatError(.conflict, "upload \(uploadId) was started with another total or room"))
            }
            if let old = upload.parts[index] { upload.bytes -= old.count }
            upload.parts[index] = data
            upload.bytes += data.count
            upload.name = name ?? upload.name
            upload.mime = mime ?? upload.mime
            guard upload.bytes <= maxSize else {
                uploads[key] = nil
                return .failure(ChatError(.tooLarge, "the file is larger than \(maxSize) bytes"))
            }
            if upload.parts.count == total {
                uploads[key] = nil
                return .success(upload)
            }
            uploads[key] = upload
            return .success(nil)
        }
        let complete: PendingUpload?
        switch outcome {
        case .failure(let error):
            services.scheduler.cancel("upload:\(key)")
            throw error
        case .success(let value):
            complete = value
        }
        guard let complete else {
            services.scheduler.schedule("upload:\(key)", at: now + services.configuration.uploadTTL) { [self] in
                _ = self.uploads.withLock { $0.removeValue(forKey: key) }
            }
            let received = uploads.withLock { $0[key]?.parts.count ?? 0 }
            return (nil, received)
        }
        services.scheduler.cancel("upload:\(key)")
        guard let name = complete.name, let mime = complete.mime else {
            throw ChatError.validation("'name' and 'mime' must come with at least one chunk")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(complete.bytes)
        for part in 0..<total { bytes += complete.parts[part] ?? [] }
        return (try store(bytes, name: name, mime: mime, user: user, roomId: roomId, now: now), total)
    }

    /// Hashes, stores and journals a complete file.
    func store(_ bytes: [UInt8], name: String, mime: String, user: String, roomId: String, now: Double) throws(ChatError) -> StoredFile {
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        do {
            try blobs.store(bytes, as: digest)
        } catch {
            services.logger.error("storing a file failed", metadata: ["error": "\(error)"])
            throw ChatError(.internal, "the file could not be stored")
        }
        let fileId = "f" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let stored = StoredFile(
            info: FileInfo(fileId: fileId, name: name, mime: mime, size: bytes.count, sha256: digest),
            uploaderId: user, uploadedAt: now, roomIds: [roomId])
        try services.delivery.record(.file(stored))
        files.withLock { $0[fileId] = stored }
        return stored
    }

    // MARK: Access

    /// The file if `user` may see it: a member of a room it was uploaded or shared in. Anyone else gets
    /// `not_found`, whether or not the file exists.
    func file(_ fileId: String, visibleTo user: String) throws(ChatError) -> StoredFile {
        guard let stored = files.withLock({ $0[fileId] }),
              !stored.roomIds.isDisjoint(with: services.index.rooms(of: user))
        else { throw ChatError.notFound("file \(fileId)") }
        return stored
    }

    /// Records that the file was shared in `roomId`.
    func shared(_ stored: StoredFile, in roomId: String) throws(ChatError) {
        guard !stored.roomIds.contains(roomId) else { return }
        var updated = stored
        updated.roomIds.insert(roomId)
        try services.delivery.record(.file(updated))
        files.withLock { $0[stored.info.fileId] = updated }
    }

    /// Removes metadata of files no message references and that are older than `retention` seconds
    /// (journaled, so a restart does not bring them back), then blobs no remaining file uses.
    /// Returns the removed file ids.
    func collectGarbage(referenced: Set<String>, now: Double, retention: Double = 86_400) -> [String] {
        let doomed = files.withLock { files in
            files.values.filter { !referenced.contains($0.info.fileId) && $0.uploadedAt + retention < now }.map(\.info.fileId)
        }
        var removed: [String] = []
        for fileId in doomed {
            guard (try? services.delivery.record(.fileRemoved(fileId: fileId))) != nil else { continue }
            files.withLock { _ = $0.removeValue(forKey: fileId) }
            removed.append(fileId)
        }
        let keptDigests = files.withLock { Set($0.values.map(\.info.sha256)) }
        for name in blobs.names() where !keptDigests.contains(name) {
            blobs.remove(name)
        }
        return removed
    }
}
