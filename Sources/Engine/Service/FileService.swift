import Actors
import Crypto
import Foundation
import Persistence
import Synchronization

/// Files: uploads in one message or in chunks (any order, duplicates tolerated), assembled, hashed and
/// stored once per content; metadata journaled; access for members of rooms the file was shared in.
///
/// What uploads may cost is bounded (`UserLimits`): bytes of incomplete uploads in memory for everyone,
/// bytes stored per user (from the metadata), and the free space the data directory's disk keeps.
final class FileService: Sendable {
    struct PendingUpload {
        var roomId: String
        var total: Int
        var parts: [Int: [UInt8]] = [:]
        var bytes = 0
        var name: String?
        var mime: String?
    }

    /// Incomplete uploads by "user NUL upload_id", and the bytes they hold together.
    struct PendingUploads {
        var uploads: [String: PendingUpload] = [:]
        var bytes = 0

        mutating func discard(_ key: String) {
            if let upload = uploads.removeValue(forKey: key) { bytes -= upload.bytes }
        }
    }

    /// A refused chunk, and whether the refusal discarded an upload in progress (its expiry timer then goes too).
    struct ChunkRefusal: Error {
        let error: ChatError
        var discarded = false

        init(_ error: ChatError, discarded: Bool = false) {
            self.error = error
            self.discarded = discarded
        }
    }

    let services: ChatServices
    let blobs: BlobStore
    private let pending = Mutex(PendingUploads())
    private let catalog = Mutex(FileCatalog())
    /// Largest decoded chunk (and single upload).
    static let maxChunkBytes = 1024 * 1024
    /// Uploads one user may have in progress at once.
    static let maxUploadsPerUser = 4
    /// Seconds a client is told to wait when every user's incomplete uploads together hold their maximum.
    static let pendingFullRetryAfter = 5.0

    init(services: ChatServices, blobs: BlobStore) {
        self.services = services
        self.blobs = blobs
    }

    private var limits: UserLimits { services.configuration.limits }

    /// Restores metadata from a snapshot and journal.
    func restore(_ stored: [StoredFile]) {
        catalog.withLock { catalog in
            for file in stored { catalog.insert(file) }
        }
    }

    /// Every file's metadata, for snapshots.
    var all: [StoredFile] { catalog.withLock { Array($0.files.values) } }

    /// Bytes of the files `user` uploaded.
    func bytesStored(by user: String) -> Int { catalog.withLock { $0.bytesStored(by: user) } }

    // MARK: Uploads

    /// Adds one chunk; returns the stored file once every chunk arrived, nil while parts are missing.
    func addChunk(
        user: String, uploadId: String, roomId: String, index: Int, total: Int, data: [UInt8],
        name: String?, mime: String?, now: Double
    ) throws(ChatError) -> (file: StoredFile?, received: Int) {
        let key = "\(user)\u{0}\(uploadId)"
        let maxSize = services.configuration.maxFileSize
        let limits = self.limits
        let stored = bytesStored(by: user)
        let available = availableDiskBytes()
        let outcome: Result<PendingUpload?, ChunkRefusal> = pending.withLock { pending in
            let isNew = pending.uploads[key] == nil
            var upload = pending.uploads[key] ?? PendingUpload(roomId: roomId, total: total)
            if isNew {
                let mine = pending.uploads.keys.filter { $0.hasPrefix("\(user)\u{0}") }.count
                guard mine < Self.maxUploadsPerUser else {
                    return .failure(ChunkRefusal(ChatError(.rateLimited, "too many uploads in progress", retryAfter: 1)))
                }
            }
            guard upload.total == total, upload.roomId == roomId else {
                return .failure(ChunkRefusal(ChatError(.conflict, "upload \(uploadId) was started with another total or room")))
            }
            let before = upload.bytes
            if let old = upload.parts[index] { upload.bytes -= old.count }
            upload.parts[index] = data
            upload.bytes += data.count
            upload.name = name ?? upload.name
            upload.mime = mime ?? upload.mime
            if let refusal = Self.refusal(size: upload.bytes, maxSize: maxSize, stored: stored, available: available, limits: limits) {
                pending.discard(key)
                return .failure(ChunkRefusal(refusal, discarded: !isNew))
            }
            guard pending.bytes - before + upload.bytes <= limits.pendingUploadBytesTotal else {
                return .failure(ChunkRefusal(ChatError(
                    .rateLimited, "the server holds as many incomplete uploads as it can; try again shortly",
                    retryAfter: Self.pendingFullRetryAfter)))
            }
            pending.uploads[key] = upload
            pending.bytes += upload.bytes - before
            if upload.parts.count == total {
                pending.discard(key)
                return .success(upload)
            }
            return .success(nil)
        }
        let complete: PendingUpload?
        switch outcome {
        case .failure(let refusal):
            if refusal.discarded { services.scheduler.cancel("upload:\(key)") }
            throw refusal.error
        case .success(let value):
            complete = value
        }
        guard let complete else {
            services.scheduler.schedule("upload:\(key)", at: now + services.configuration.uploadTTL) { [self] in
                pending.withLock { $0.discard(key) }
            }
            let received = pending.withLock { $0.uploads[key]?.parts.count ?? 0 }
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
    ///
    /// The file is reserved in the catalog before its blob is written: its bytes count against the
    /// uploader's quota at once (two uploads at the same moment cannot both slip under it), and garbage
    /// collection keeps the blob until the metadata is recorded.
    func store(_ bytes: [UInt8], name: String, mime: String, user: String, roomId: String, now: Double) throws(ChatError) -> StoredFile {
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let reservation = FileCatalog.Reservation(digest: digest, user: user, bytes: bytes.count)
        let limits = self.limits
        let maxSize = services.configuration.maxFileSize
        let quotaRefusal: ChatError? = catalog.withLock { catalog in
            if let refusal = Self.refusal(
                size: bytes.count, maxSize: maxSize, stored: catalog.bytesStored(by: user), available: .max, limits: limits)
            {
                return refusal
            }
            catalog.reserve(reservation)
            return nil
        }
        if let quotaRefusal { throw quotaRefusal }
        let stored: StoredFile
        do throws(ChatError) {
            // Content stored already takes no new space.
            if !blobs.contains(digest),
               let refusal = Self.refusal(size: bytes.count, maxSize: maxSize, stored: 0, available: availableDiskBytes(), limits: limits)
            {
                throw refusal
            }
            do {
                try blobs.store(bytes, as: digest)
            } catch {
                services.logger.error("storing a file failed", metadata: ["error": "\(error)"])
                throw ChatError(.internal, "the file could not be stored")
            }
            let fileId = "f" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            stored = StoredFile(
                info: FileInfo(fileId: fileId, name: name, mime: mime, size: bytes.count, sha256: digest),
                uploaderId: user, uploadedAt: now, roomIds: [roomId])
        } catch {
            catalog.withLock { $0.release(reservation) }
            throw error
        }
        // Journaled under the lock a snapshot reads the catalog with (`all`), like every change below: a
        // snapshot whose journal position covers the record then holds the file too.
        try catalog.withLock { (catalog) throws(ChatError) in
            defer { catalog.release(reservation) }
            try services.delivery.record(.file(stored))
            catalog.insert(stored)
        }
        return stored
    }

    /// Why a file of `size` bytes may not be stored, or nil when it may: over the maximum file size, over
    /// the uploader's stored-bytes quota, or it would leave the disk less free space than it must keep.
    static func refusal(size: Int, maxSize: Int, stored: Int, available: Int, limits: UserLimits) -> ChatError? {
        if size > maxSize {
            return ChatError(.tooLarge, "the file is larger than \(maxSize) bytes")
        }
        if stored + size > limits.storedBytesPerUser {
            return ChatError(.tooLarge, "storage quota exceeded: your files use \(stored) of \(limits.storedBytesPerUser) bytes")
        }
        if available - size < limits.minimumFreeDiskBytes {
            return ChatError(.tooLarge, "the server is low on disk space; the file cannot be stored now")
        }
        return nil
    }

    /// Free bytes on the data directory's disk; unknown (a failing statvfs) counts as plenty: the write
    /// itself then reports the real problem.
    func availableDiskBytes() -> Int {
        do {
            return try blobs.availableBytes()
        } catch {
            services.logger.warning("free disk space unknown", metadata: ["error": "\(error)"])
            return .max
        }
    }

    // MARK: Access

    /// The file if `user` may see it: a member of a room it was uploaded or shared in. Anyone else gets
    /// `not_found`, whether or not the file exists.
    func file(_ fileId: String, visibleTo user: String) throws(ChatError) -> StoredFile {
        guard let stored = catalog.withLock({ $0.files[fileId] }),
              !stored.roomIds.isDisjoint(with: services.index.rooms(of: user))
        else { throw ChatError.notFound("file \(fileId)") }
        return stored
    }

    /// Records that the file was shared in `roomId`.
    func shared(_ stored: StoredFile, in roomId: String) throws(ChatError) {
        guard !stored.roomIds.contains(roomId) else { return }
        var updated = stored
        updated.roomIds.insert(roomId)
        try catalog.withLock { (catalog) throws(ChatError) in
            try services.delivery.record(.file(updated))
            catalog.insert(updated)
        }
    }

    /// Removes metadata of files no message references and that are older than `retention` seconds
    /// (journaled, so a restart does not bring them back), then blobs no remaining file uses and no upload
    /// is storing. Returns the removed file ids.
    func collectGarbage(referenced: Set<String>, now: Double, retention: Double = 86_400) -> [String] {
        let doomed = catalog.withLock { catalog in
            catalog.files.values.filter { !referenced.contains($0.info.fileId) && $0.uploadedAt + retention < now }.map(\.info.fileId)
        }
        var removed: [String] = []
        for fileId in doomed {
            let recorded = catalog.withLock { catalog in
                guard (try? services.delivery.record(.fileRemoved(fileId: fileId))) != nil else { return false }
                _ = catalog.remove(fileId)
                return true
            }
            if recorded { removed.append(fileId) }
        }
        for name in blobs.names() {
            // Checked and removed under the lock: a store reserves its digest under it before writing.
            catalog.withLock { catalog in
                if !catalog.isInUse(digest: name) { blobs.remove(name) }
            }
        }
        return removed
    }
}
