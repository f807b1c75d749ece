import Actors

/// The room ids a room list walks, ascending and each once: the public rooms, fetched from the
/// directory a batch at a time, merged with the caller's own rooms.
struct RoomListCandidates {
    private let directory: RoomDirectory
    private let batch: Int
    private var publicIds: [String] = []
    private var publicPosition = 0
    /// Where the next batch of public ids starts (after this id; nil: from the first).
    private var publicCursor: String?
    private var publicExhausted: Bool
    private let own: [String]
    private var ownPosition = 0

    /// - Parameters:
    ///   - includePublic: whether every public room is a candidate.
    ///   - cursor: only ids above it.
    ///   - own: the caller's rooms (public ones among them may repeat public candidates).
    ///   - batch: public ids fetched at once; the page size plus one usually ends the walk in one batch.
    init(directory: RoomDirectory, includePublic: Bool, after cursor: String?, own: Set<String>, batch: Int) {
        self.directory = directory
        self.batch = batch
        publicCursor = cursor
        publicExhausted = !includePublic
        self.own = own.filter { id in cursor.map { id > $0 } ?? true }.sorted()
    }

    mutating func next() -> String? {
        if publicPosition == publicIds.count && !publicExhausted {
            publicIds = directory.publicRoomIds(after: publicCursor, count: batch)
            publicPosition = 0
            publicExhausted = publicIds.count < batch
            publicCursor = publicIds.last ?? publicCursor
        }
        let publicHead = publicPosition < publicIds.count ? publicIds[publicPosition] : nil
        let ownHead = ownPosition < own.count ? own[ownPosition] : nil
        switch (publicHead, ownHead) {
        case (nil, nil):
            return nil
        case (let head?, nil):
            publicPosition += 1
            return head
        case (nil, let head?):
            ownPosition += 1
            return head
        case (let publicId?, let ownId?):
            if publicId <= ownId { publicPosition += 1 }
            if ownId <= publicId { ownPosition += 1 }
            return min(publicId, ownId)
        }
    }
}
