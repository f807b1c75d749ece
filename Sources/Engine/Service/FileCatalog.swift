import Actors

/// Every stored file's metadata, the bytes each user stores, and the files being stored right now.
///
/// A value with no locking of its own: `FileService` keeps it behind one mutex, so a quota check and the
/// reservation it allows, or the garbage collector's "is this blob in use?" and the removal, are one step.
struct FileCatalog {
    private(set) var files: [String: StoredFile] = [:]
    /// Bytes of the files each user uploaded, from the metadata (so a restart restores the count).
    private var storedBytes: [String: Int] = [:]
    /// Bytes each user is storing right now (written, not yet recorded).
    private var reservedBytes: [String: Int] = [:]
    /// How many files use each content hash, recorded or being stored: a blob with a count is in use.
    private var digestUses: [String: Int] = [:]

    /// A file being stored: its blob is kept and its bytes count against its uploader until `release`.
    struct Reservation {
        let digest: String
        let user: String
        let bytes: Int
    }

    /// Adds a file's metadata, or replaces it (a share adds a room).
    mutating func insert(_ file: StoredFile) {
        remove(file.info.fileId)
        files[file.info.fileId] = file
        storedBytes[file.uploaderId, default: 0] += file.info.size
        digestUses[file.info.sha256, default: 0] += 1
    }

    /// Removes a file's metadata; its blob stays in use while another file has the same content.
    @discardableResult
    mutating func remove(_ fileId: String) -> StoredFile? {
        guard let file = files.removeValue(forKey: fileId) else { return nil }
        Self.subtract(file.info.size, from: file.uploaderId, in: &storedBytes)
        Self.subtract(1, from: file.info.sha256, in: &digestUses)
        return file
    }

    /// Bytes `user` stores, counting files being stored.
    func bytesStored(by user: String) -> Int {
        storedBytes[user, default: 0] + reservedBytes[user, default: 0]
    }

    /// Marks a file as being stored: its bytes count against `user`, and no garbage collection removes
    /// a blob of its content until `release`.
    mutating func reserve(_ reservation: Reservation) {
        reservedBytes[reservation.user, default: 0] += reservation.bytes
        digestUses[reservation.digest, default: 0] += 1
    }

    /// Ends a reservation, after the file was recorded (`insert`) or failed.
    mutating func release(_ reservation: Reservation) {
        Self.subtract(reservation.bytes, from: reservation.user, in: &reservedBytes)
        Self.subtract(1, from: reservation.digest, in: &digestUses)
    }

    /// Whether a recorded file, or one being stored, has this content hash.
    func isInUse(digest: String) -> Bool {
        digestUses[digest] != nil
    }

    private static func subtract(_ amount: Int, from key: String, in counts: inout [String: Int]) {
        let left = counts[key, default: 0] - amount
        counts[key] = left > 0 ? left : nil
    }
}
